/** A seeded PRNG for fault tests: the seed is printed, `CAIRN_FAULT_SEED` replays a run. */

export interface Random {
  readonly seed: number
  /** An integer in [0, n). */
  int: (n: number) => number
  /** An integer in [min, max]. */
  between: (min: number, max: number) => number
  shuffle: <T>(items: T[]) => T[]
}

export function seededRandom (label: string): Random {
  const fromEnv = Number(process.env.CAIRN_FAULT_SEED)
  const seed = Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : (Date.now() % 0x7fffffff) || 1
  console.log(`${label}: seed ${seed} (replay with CAIRN_FAULT_SEED=${seed})`)
  let x = seed >>> 0
  const next = (): number => {
    x ^= x << 13; x >>>= 0
    x ^= x >>> 17
    x ^= x << 5; x >>>= 0
    return x
  }
  const int = (n: number): number => next() % n
  return {
    seed,
    int,
    between: (min, max) => min + int(max - min + 1),
    shuffle: items => {
      const out = items.slice()
      for (let i = out.length - 1; i > 0; i--) {
        const j = int(i + 1)
        ;[out[i], out[j]] = [out[j]!, out[i]!]
      }
      return out
    }
  }
}
