import type { Rng } from './fuzz-target';

/**
 * The fuzz runner's seeded source. Every input gets its own generator, derived from the run's
 * seed, the target's name and the input's index, so one reported input can be replayed alone
 * (`npm run fuzz -- --target T --seed S --index I`) without generating the ones before it.
 */
export function inputRng(seed: number, target: string, index: number): Rng {
  let state = mix(mix(seed >>> 0) ^ nameHash(target)) ^ mix(index >>> 0) ^ mix(Math.floor(index / 2 ** 32));
  const a = mix((state = (state + 0x9e3779b9) | 0));
  const b = mix((state = (state + 0x9e3779b9) | 0));
  const c = mix((state = (state + 0x9e3779b9) | 0));
  const d = mix((state = (state + 0x9e3779b9) | 0));
  return sfc32Rng(a, b, c, d);
}

/** sfc32: small, fast, and good enough to drive generators (not for anything secret). */
function sfc32Rng(a: number, b: number, c: number, d: number): Rng {
  const nextUint32 = () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 12; i++) nextUint32(); // let the seed's bits spread
  const rng: Rng = {
    next: () => nextUint32() / 4294967296,
    int: (max) => Math.floor((nextUint32() / 4294967296) * max),
    bytes(n) {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i += 4) {
        const word = nextUint32();
        for (let j = 0; j < 4 && i + j < n; j++) out[i + j] = (word >>> (j * 8)) & 0xff;
      }
      return out;
    },
    pick(items) {
      if (items.length === 0) throw new RangeError('Rng.pick needs a non-empty array');
      return items[rng.int(items.length)]!;
    },
    chance: (p) => nextUint32() / 4294967296 < p,
  };
  return rng;
}

/** splitmix32's finaliser: spreads every input bit over the output. */
function mix(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x21f0aaad);
  x = Math.imul(x ^ (x >>> 15), 0x735a2d97);
  return (x ^ (x >>> 15)) >>> 0;
}

/** FNV-1a of the target's name, so two targets never see the same stream. */
function nameHash(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
