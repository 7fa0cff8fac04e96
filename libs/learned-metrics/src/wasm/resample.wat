;; Pillow's two resampling passes (libImaging/Resample.c, 8-bit images) in WebAssembly SIMD: the same
;; 22-bit fixed-point coefficients and integer sums as pil-resize.ts' JavaScript passes, four lanes at
;; a time. Compiled to ../generated/resample-wasm.ts by `npm run codegen` (wabt), never by hand.
;;
;; Memory is laid out by pil-resize.ts: images, coefficient tables (i32: first input index, tap count,
;; ksize weights per output pixel or row), output. Every pass reads at most 3 bytes past its input's
;; last pixel and writes at most 1 byte past its output's end; the caller leaves that slack.
;;
;; Rounding as Pillow's clip8: the sum starts at 2^21 (half a unit), and a sum >= 2^30 is 255, one
;; <= 0 is 0, anything else is sum >> 22; that is min(max(sum, 0) >> 22, 255), lane by lane. Sums stay
;; within int32: |sum of weights| < 1.2 * 2^22, times 255, plus 2^21.
(module
  (memory (export "memory") 1)

  (func $clip8 (param $v v128) (result v128)
    (i32x4.min_s
      (i32x4.shr_s (i32x4.max_s (local.get $v) (v128.const i32x4 0 0 0 0)) (i32.const 22))
      (v128.const i32x4 255 255 255 255)))

  ;; Horizontal pass: `rows` rows of `src` (width `srcWidth`, `channels` 3 or 4 bytes a pixel) from
  ;; row `y0` on -> `outW` RGB pixels a row at `dst`. Coefficients: min[outW], count[outW],
  ;; k[outW * ksize] (i32 each).
  (func (export "horizontal")
    (param $src i32) (param $srcWidth i32) (param $channels i32) (param $y0 i32) (param $rows i32)
    (param $outW i32) (param $min i32) (param $count i32) (param $k i32) (param $ksize i32)
    (param $dst i32)
    (local $y i32) (local $xx i32) (local $rowIn i32) (local $p i32) (local $kb i32) (local $end i32)
    (local $acc v128) (local $px v128) (local $res v128) (local $out i32) (local $stride i32)
    (local.set $stride (i32.mul (local.get $srcWidth) (local.get $channels)))
    (local.set $out (local.get $dst))
    (local.set $y (i32.const 0))
    (block $rowsDone
      (loop $rowLoop
        (br_if $rowsDone (i32.ge_u (local.get $y) (local.get $rows)))
        (local.set $rowIn
          (i32.add (local.get $src)
            (i32.mul (i32.add (local.get $y) (local.get $y0)) (local.get $stride))))
        (local.set $xx (i32.const 0))
        (block $pixelsDone
          (loop $pixelLoop
            (br_if $pixelsDone (i32.ge_u (local.get $xx) (local.get $outW)))
            (local.set $p
              (i32.add (local.get $rowIn)
                (i32.mul
                  (i32.load (i32.add (local.get $min) (i32.shl (local.get $xx) (i32.const 2))))
                  (local.get $channels))))
            (local.set $kb
              (i32.add (local.get $k)
                (i32.shl (i32.mul (local.get $xx) (local.get $ksize)) (i32.const 2))))
            (local.set $end
              (i32.add (local.get $kb)
                (i32.shl
                  (i32.load (i32.add (local.get $count) (i32.shl (local.get $xx) (i32.const 2))))
                  (i32.const 2))))
            (local.set $acc (v128.const i32x4 2097152 2097152 2097152 2097152))
            (block $tapsDone
              (loop $tapLoop
                (br_if $tapsDone (i32.ge_u (local.get $kb) (local.get $end)))
                (local.set $px
                  (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (v128.load32_zero (local.get $p)))))
                (local.set $acc
                  (i32x4.add (local.get $acc)
                    (i32x4.mul (local.get $px) (i32x4.splat (i32.load (local.get $kb))))))
                (local.set $p (i32.add (local.get $p) (local.get $channels)))
                (local.set $kb (i32.add (local.get $kb) (i32.const 4)))
                (br $tapLoop)))
            (local.set $res (call $clip8 (local.get $acc)))
            (local.set $res (i16x8.narrow_i32x4_u (local.get $res) (local.get $res)))
            (local.set $res (i8x16.narrow_i16x8_u (local.get $res) (local.get $res)))
            ;; R, G, B and one byte that the next pixel overwrites (the slack after the last).
            (v128.store32_lane 0 (local.get $out) (local.get $res))
            (local.set $out (i32.add (local.get $out) (i32.const 3)))
            (local.set $xx (i32.add (local.get $xx) (i32.const 1)))
            (br $pixelLoop)))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br $rowLoop))))

  ;; Vertical pass: RGB rows of `rowBytes` bytes (at least 16) at `src`, the first being input row
  ;; `offset` -> `outH` rows at `dst`. Coefficients: min[outH], count[outH], k[outH * ksize]. Sixteen
  ;; bytes of a row at a time; the last block of a row ends at the row's end (it may overlap the one
  ;; before it, which it recomputes to the same values).
  (func (export "vertical")
    (param $src i32) (param $rowBytes i32) (param $outH i32) (param $offset i32)
    (param $min i32) (param $count i32) (param $k i32) (param $ksize i32) (param $dst i32)
    (local $yy i32) (local $row0 i32) (local $kb i32) (local $end i32) (local $x i32) (local $xs i32)
    (local $p i32) (local $q i32) (local $v v128) (local $w v128) (local $lo v128) (local $hi v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local.set $yy (i32.const 0))
    (block $rowsDone
      (loop $rowLoop
        (br_if $rowsDone (i32.ge_u (local.get $yy) (local.get $outH)))
        (local.set $row0
          (i32.add (local.get $src)
            (i32.mul
              (i32.sub
                (i32.load (i32.add (local.get $min) (i32.shl (local.get $yy) (i32.const 2))))
                (local.get $offset))
              (local.get $rowBytes))))
        (local.set $kb
          (i32.add (local.get $k) (i32.shl (i32.mul (local.get $yy) (local.get $ksize)) (i32.const 2))))
        (local.set $end
          (i32.add (local.get $kb)
            (i32.shl
              (i32.load (i32.add (local.get $count) (i32.shl (local.get $yy) (i32.const 2))))
              (i32.const 2))))
        (local.set $x (i32.const 0))
        (block $blocksDone
          (loop $blockLoop
            (br_if $blocksDone (i32.ge_u (local.get $x) (local.get $rowBytes)))
            (local.set $xs
              (select (local.get $x) (i32.sub (local.get $rowBytes) (i32.const 16))
                (i32.le_u (i32.add (local.get $x) (i32.const 16)) (local.get $rowBytes))))
            (local.set $a0 (v128.const i32x4 2097152 2097152 2097152 2097152))
            (local.set $a1 (local.get $a0))
            (local.set $a2 (local.get $a0))
            (local.set $a3 (local.get $a0))
            (local.set $p (i32.add (local.get $row0) (local.get $xs)))
            (local.set $q (local.get $kb))
            (block $tapsDone
              (loop $tapLoop
                (br_if $tapsDone (i32.ge_u (local.get $q) (local.get $end)))
                (local.set $v (v128.load (local.get $p)))
                (local.set $w (i32x4.splat (i32.load (local.get $q))))
                (local.set $lo (i16x8.extend_low_i8x16_u (local.get $v)))
                (local.set $hi (i16x8.extend_high_i8x16_u (local.get $v)))
                (local.set $a0 (i32x4.add (local.get $a0)
                  (i32x4.mul (i32x4.extend_low_i16x8_u (local.get $lo)) (local.get $w))))
                (local.set $a1 (i32x4.add (local.get $a1)
                  (i32x4.mul (i32x4.extend_high_i16x8_u (local.get $lo)) (local.get $w))))
                (local.set $a2 (i32x4.add (local.get $a2)
                  (i32x4.mul (i32x4.extend_low_i16x8_u (local.get $hi)) (local.get $w))))
                (local.set $a3 (i32x4.add (local.get $a3)
                  (i32x4.mul (i32x4.extend_high_i16x8_u (local.get $hi)) (local.get $w))))
                (local.set $p (i32.add (local.get $p) (local.get $rowBytes)))
                (local.set $q (i32.add (local.get $q) (i32.const 4)))
                (br $tapLoop)))
            (v128.store
              (i32.add (local.get $dst)
                (i32.add (i32.mul (local.get $yy) (local.get $rowBytes)) (local.get $xs)))
              (i8x16.narrow_i16x8_u
                (i16x8.narrow_i32x4_u (call $clip8 (local.get $a0)) (call $clip8 (local.get $a1)))
                (i16x8.narrow_i32x4_u (call $clip8 (local.get $a2)) (call $clip8 (local.get $a3)))))
            (local.set $x (i32.add (local.get $x) (i32.const 16)))
            (br $blockLoop)))
        (local.set $yy (i32.add (local.get $yy) (i32.const 1)))
        (br $rowLoop))))
)
