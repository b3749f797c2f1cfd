/**
 * Issue item 10 — ids and paths. Block ids that try to escape the store or
 * are merely wrong (`../x`, `%2e%2e`, wrong case, wrong length, other
 * codecs, other hashes, other CID versions and bases, CID-like objects that
 * lie about their text form) are rejected with a typed error and touch
 * nothing: through the wire (`want`/`put`/`have` to a real host process:
 * `error ERR_FRAME_MALFORMED`, the data dir unchanged) and through the
 * `FsBlockStore` API (`InvalidIdError`, ERR_INVALID_ID; nothing written
 * inside or outside the store).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { encode } from 'cborg'
import { CID } from 'multiformats/cid'
import { base36 } from 'multiformats/bases/base36'
import { base58btc } from 'multiformats/bases/base58'
import { base32 } from 'multiformats/bases/base32'
import * as Digest from 'multiformats/hashes/digest'
import { afterAll, describe, expect, it } from 'vitest'
import type { BlockId } from '@cairn/core'
import type { Message } from '@cairn/core/wire'
import { FsBlockStore } from '../../src/store/fs.js'
import { Cluster } from '../harness.js'
import { tree } from './support/disk.js'
import { drain, randomBlock, rawAuthenticated } from './support/mesh.js'

const ascii = (text: string, length = text.length): Uint8Array => {
  const out = new Uint8Array(length)
  out.set(new TextEncoder().encode(text).subarray(0, length))
  return out
}

/** Binary ids a hostile peer might put in a frame's `cid` field, for a real block `cid`. */
function badWireIds (cid: CID): Array<[string, Uint8Array]> {
  const digest = cid.multihash.digest
  return [
    ['../x', ascii('../x')],
    ['../../../../etc/passwd padded to 36 bytes', ascii('../../../../etc/passwd', 36)],
    ['%2e%2e%2f padded to 36 bytes', ascii('%2e%2e%2f%2e%2e%2fx', 36)],
    ['dag-cbor codec', CID.createV1(0x71, cid.multihash).bytes],
    ['dag-pb codec', CID.createV1(0x70, cid.multihash).bytes],
    ['identity hash', CID.createV1(0x55, Digest.create(0x00, digest)).bytes],
    ['sha2-512 hash', CID.createV1(0x55, Digest.create(0x13, new Uint8Array(64))).bytes],
    ['CIDv0', CID.createV0(cid.multihash as never).bytes],
    ['CID version 2', Uint8Array.of(2, ...cid.bytes.subarray(1))],
    ['35 bytes', cid.bytes.subarray(0, 35)],
    ['37 bytes', Uint8Array.of(...cid.bytes, 0)],
    ['empty', new Uint8Array(0)]
  ]
}

/** Text and object ids for the store API, for a real block `cid`. */
function badApiIds (cid: CID): Array<[string, unknown]> {
  const key = cid.toString()
  const liar: Record<string, unknown> = { ...CID.createV1(0x71, cid.multihash), toString: () => '../x' }
  liar.asCID = liar
  return [
    ['../x', '../x'], ['%2e%2e', '%2e%2e'], ['%2e%2e%2f + id', `%2e%2e%2f${key}`], ['..\\x', '..\\x'],
    ['upper case', key.toUpperCase()], ['base32upper multibase', cid.toString(base32.encoder).toUpperCase()],
    ['base36', cid.toString(base36.encoder)], ['base58btc', cid.toString(base58btc.encoder)],
    ['58 characters', key.slice(0, -1)], ['60 characters', `${key}a`], ['trailing newline', `${key}\n`],
    ['NUL inside', `${key.slice(0, 30)}\0${key.slice(31)}`], ['slash inside', `${key.slice(0, 30)}/${key.slice(31)}`],
    ['dag-cbor text', CID.createV1(0x71, cid.multihash).toString()], ['CIDv0 text', CID.createV0(cid.multihash as never).toString()],
    ['dag-cbor CID', CID.createV1(0x71, cid.multihash)], ['CIDv0 CID', CID.createV0(cid.multihash as never)],
    ['identity-hash CID', CID.createV1(0x55, Digest.create(0x00, cid.multihash.digest))],
    ['sha2-512 CID', CID.createV1(0x55, Digest.create(0x13, new Uint8Array(64)))],
    ['CID-like object saying ../x', liar], ['number', 42], ['null', null]
  ]
}

describe('hostile block ids', () => {
  const cluster = new Cluster()
  afterAll(async () => { await cluster.cleanup() })

  it('through the wire: every bad id in want/put/have gets ERR_FRAME_MALFORMED and changes nothing on disk', async () => {
    const host = await cluster.startHost()
    const before = await tree(host.data)
    const block = await randomBlock(1000)
    const cases = badWireIds(block.cid)
    for (const [name, cid] of cases) {
      const frames: Message[] = [
        { t: 'want', id: 1, cid } as Message,
        { t: 'put', id: 2, cid, offset: 0, total: block.bytes.length, data: block.bytes, replicas: 1 } as Message
      ]
      for (const msg of [...frames, { t: 'have', cids: [cid] } as Message]) {
        const raw = await rawAuthenticated(host.url, { role: 'client' })
        await raw.conn.send(encode(msg))
        const reply = await raw.nextMatching(m => m.t === 'error' || m.t === 'stored' || m.t === 'block' || m.t === 'dont-have')
        expect(reply, `${name} in ${msg.t}`).toMatchObject({ t: 'error', code: 'ERR_FRAME_MALFORMED' })
        raw.conn.close()
        await drain(raw, 5_000)
      }
    }
    expect(await tree(host.data)).toEqual(before)
    console.log(`ids-and-paths: ${cases.length} bad wire ids x want/put/have refused`)
  }, 120_000)

  it('through the FsBlockStore API: InvalidIdError for every bad id, nothing written inside or outside', async () => {
    const root = await mkdtemp(join(tmpdir(), 'cairn-ids-'))
    try {
      await mkdir(join(root, 'x'))
      await writeFile(join(root, 'outside'), 'precious')
      const store = await FsBlockStore.open(join(root, 'store'))
      const block = await randomBlock(1000)
      await store.put(block.cid, block.bytes)
      const before = await tree(root)
      const cases = badApiIds(block.cid)
      for (const [name, id] of cases) {
        for (const op of [
          async () => { await store.put(id as BlockId, block.bytes) },
          async () => { await store.get(id as BlockId) },
          async () => { await store.has(id as BlockId) },
          async () => { await store.delete(id as BlockId) }
        ]) {
          await expect(op(), name).rejects.toMatchObject({ name: 'InvalidIdError', code: 'ERR_INVALID_ID' })
        }
      }
      expect(await tree(root)).toEqual(before)
      expect(await store.get(block.cid)).toEqual(block.bytes)
      console.log(`ids-and-paths: ${cases.length} bad API ids x put/get/has/delete refused`)
    } finally {
      await rm(root, { recursive: true, force: true })
    }
  })
})
