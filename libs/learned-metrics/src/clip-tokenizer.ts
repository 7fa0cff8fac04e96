import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

import { decodeHTML } from 'entities';

/**
 * CLIP's byte-level BPE tokenizer, as open_clip's `SimpleTokenizer` (the reference implementation of
 * OpenAI's CLIP) with its vocabulary `bpe_simple_vocab_16e6.txt.gz`: 49 408 tokens, start 49406,
 * end 49407, zero padding to the context length, truncation keeping the end token last.
 *
 * Text cleaning: the reference runs `ftfy.fix_text`, then HTML-unescapes twice, collapses
 * whitespace and lowercases. Of ftfy's fixes this applies the ones that change well-formed text
 * (NFC normalisation, curly quotes to straight ones, Latin ligatures, full-width characters,
 * control characters); ftfy's repair of mojibake (UTF-8 decoded as Latin-1) is not reproduced.
 */
export class ClipTokenizer {
  readonly sot = 49406;
  readonly eot = 49407;
  private readonly encoder = new Map<string, number>();
  private readonly ranks = new Map<string, number>();
  private readonly byteEncoder: string[];
  private readonly cache = new Map<string, string[]>();
  private static readonly pattern =
    /<start_of_text>|<end_of_text>|'s|'t|'re|'ve|'m|'ll|'d|\p{L}+|\p{N}|[^\s\p{L}\p{N}]+/giu;

  constructor(
    mergesText: string,
    readonly contextLength = 77,
  ) {
    const lines = mergesText.split('\n').slice(1, 49152 - 256 - 2 + 1);
    if (lines.length !== 48894)
      throw new Error(`CLIP BPE vocabulary: expected 48894 merges, got ${lines.length}`);
    const { byByte, inOrder } = bytesToUnicode();
    this.byteEncoder = byByte;
    // The vocabulary starts with the byte characters in the order of open_clip's dict, not by byte.
    const vocab = [...inOrder, ...inOrder.map((v) => v + '</w>')];
    lines.forEach((line, rank) => {
      const [a, b] = line.split(' ');
      this.ranks.set(`${a} ${b}`, rank);
      vocab.push(a + b);
    });
    vocab.push('<start_of_text>', '<end_of_text>');
    vocab.forEach((v, i) => this.encoder.set(v, i));
    if (this.encoder.size !== 49408)
      throw new Error(`CLIP BPE vocabulary: ${this.encoder.size} tokens, not 49408`);
  }

  static fromFile(path: string, contextLength = 77): ClipTokenizer {
    return new ClipTokenizer(gunzipSync(readFileSync(path)).toString('utf8'), contextLength);
  }

  /** Token ids without start/end tokens. */
  encode(text: string): number[] {
    const ids: number[] = [];
    for (const token of clean(text).match(ClipTokenizer.pattern) ?? []) {
      const mapped = [...Buffer.from(token, 'utf8')].map((b) => this.byteEncoder[b]).join('');
      for (const piece of this.bpe(mapped)) {
        const id = this.encoder.get(piece);
        if (id === undefined) throw new Error(`CLIP tokenizer: no id for ${JSON.stringify(piece)}`);
        ids.push(id);
      }
    }
    return ids;
  }

  /** `tokenizer([text], context_length)[0]`: start, tokens, end, zeros; truncated with end last. */
  tokenize(text: string): BigInt64Array {
    const tokens = [this.sot, ...this.encode(text), this.eot];
    if (tokens.length > this.contextLength) {
      tokens.length = this.contextLength;
      tokens[this.contextLength - 1] = this.eot;
    }
    const out = new BigInt64Array(this.contextLength);
    tokens.forEach((t, i) => (out[i] = BigInt(t)));
    return out;
  }

  private bpe(token: string): string[] {
    const cached = this.cache.get(token);
    if (cached) return cached;
    const chars = [...token];
    let word = [...chars.slice(0, -1), chars[chars.length - 1] + '</w>'];
    while (word.length > 1) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i < word.length - 1; i++) {
        const r = this.ranks.get(`${word[i]} ${word[i + 1]}`);
        if (r !== undefined && r < bestRank) {
          bestRank = r;
          best = i;
        }
      }
      if (best < 0) break;
      const first = word[best];
      const second = word[best + 1];
      const merged: string[] = [];
      for (let i = 0; i < word.length;) {
        if (i < word.length - 1 && word[i] === first && word[i + 1] === second) {
          merged.push(first + second);
          i += 2;
        } else {
          merged.push(word[i]);
          i += 1;
        }
      }
      word = merged;
    }
    if (this.cache.size < 10_000) this.cache.set(token, word);
    return word;
  }
}

/** GPT-2's reversible byte -> printable character map (open_clip `bytes_to_unicode`). */
function bytesToUnicode(): { byByte: string[]; inOrder: string[] } {
  const bs: number[] = [];
  for (let b = 33; b <= 126; b++) bs.push(b);
  for (let b = 161; b <= 172; b++) bs.push(b);
  for (let b = 174; b <= 255; b++) bs.push(b);
  const cs = [...bs];
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n++);
    }
  }
  const byByte = new Array<string>(256);
  bs.forEach((b, i) => (byByte[b] = String.fromCodePoint(cs[i])));
  return { byByte, inOrder: bs.map((b) => byByte[b]) };
}

const LIGATURES: Record<string, string> = {
  Ĳ: 'IJ',
  ĳ: 'ij',
  ŉ: 'ʼn',
  Ǳ: 'DZ',
  ǲ: 'Dz',
  ǳ: 'dz',
  Ǆ: 'DŽ',
  ǅ: 'Dž',
  ǆ: 'dž',
  Ǉ: 'LJ',
  ǈ: 'Lj',
  ǉ: 'lj',
  Ǌ: 'NJ',
  ǋ: 'Nj',
  ǌ: 'nj',
  ﬀ: 'ff',
  ﬁ: 'fi',
  ﬂ: 'fl',
  ﬃ: 'ffi',
  ﬄ: 'ffl',
  ﬅ: 'ſt',
  ﬆ: 'st',
};

/** The parts of ftfy.fix_text that alter well-formed text, then open_clip's cleaning ('lower'). */
export function clean(text: string): string {
  let t = text
    .replace(/\r\n|\r|\u2028|\u2029|\u0085/g, '\n')
    .replace(/[\u2018\u2019\u201a\u201b\u2032]/g, "'")
    .replace(/[\u201c\u201d\u201e\u201f\u2033]/g, '"')
    .replace(/[\u0132\u0133\u0149\u01c4-\u01cc\ufb00-\ufb06]/g, (c) => LIGATURES[c] ?? c)
    .replace(/[\uff01-\uff5e]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/\u3000/g, ' ')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000e-\u001f\u007f]/g, '')
    .normalize('NFC');
  t = decodeHTML(decodeHTML(t)).trim();
  // eslint-disable-next-line no-control-regex
  const whitespace = /[\s\u001c-\u001f\u0085]+/u;
  return t
    .split(whitespace)
    .filter((s) => s.length > 0)
    .join(' ')
    .trim()
    .toLowerCase();
}
