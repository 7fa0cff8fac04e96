// SSIM and PSNR live in @f2f/imaging, so that the benchmarks (tools/bench) run the same code.
export {
  meanSsim,
  psnr,
  PSNR_CEILING_DB,
  type SsimImage,
  SsimReference,
  ssimScale,
  toSsimImage,
} from '@f2f/imaging';
