import { describe, expect, it } from 'vitest'
import { Persistence } from './persistence.js'

describe('Persistence', () => {
  it('does not wait on a persist() that never answers (Firefox with an unanswered prompt)', async () => {
    let asked = 0
    const persistence = await Persistence.request({
      persisted: async () => false,
      persist: async () => { asked++; return await new Promise<boolean>(() => {}) }
    })
    expect(asked).toBe(1)
    expect(persistence.state).toBe('asking')
  })

  it('follows a late answer with a change event', async () => {
    let answer: (granted: boolean) => void = () => {}
    const persistence = await Persistence.request({
      persisted: async () => false,
      persist: async () => await new Promise<boolean>(resolve => { answer = resolve })
    })
    const changed = new Promise<void>(resolve => { persistence.addEventListener('change', () => { resolve() }) })
    answer(true)
    await changed
    expect(persistence.state).toBe('granted')
  })

  it('is granted at once when already persisted, without asking', async () => {
    let asked = 0
    const persistence = await Persistence.request({ persisted: async () => true, persist: async () => { asked++; return true } })
    expect(persistence.state).toBe('granted')
    expect(asked).toBe(0)
  })

  it('is best-effort without the API, or when asking fails', async () => {
    expect((await Persistence.request(undefined)).state).toBe('best-effort')
    const failing = await Persistence.request({ persisted: async () => { throw new Error('no') }, persist: async () => { throw new Error('no') } })
    await new Promise(resolve => setTimeout(resolve, 0))
    expect(failing.state).toBe('best-effort')
  })
})
