/** `cairn rm LINK [--owner SECRET]`: remove a file this user added from every host. */
import { OwnerError, parseOwnerSecret } from '@cairn/core'
import type { TargetOptions } from '../client.js'
import { interruptSignal } from '../interrupt.js'
import { parseLinkArg } from '../link-arg.js'
import { connectFirst, linkCandidates } from '../mesh-candidates.js'
import { forgetOwned, readOwned } from '../owned.js'
import { logLine, printJson, printLine } from '../output.js'

export interface RmOptions extends TargetOptions {
  owner?: string
  json?: boolean
  /** The history of added files (`ownedPath`). */
  owned: string
}

/** The owner secret: --owner, else the history's. A missing or malformed one is refused (exit 4) before any network. */
async function secretFor (root: string, options: RmOptions): Promise<Uint8Array> {
  const text = options.owner ?? (await readOwned(options.owned)).findLast(f => f.root === root)?.owner
  if (text === undefined) throw new OwnerError(`no owner secret for ${root} in ${options.owned}: pass --owner SECRET (put --json printed it as "owner")`)
  return parseOwnerSecret(text)
}

export async function rmCommand (text: string, options: RmOptions): Promise<void> {
  const link = parseLinkArg(text)
  const root = link.root.toString()
  const secret = await secretFor(root, options)
  const signal = interruptSignal()
  const client = await connectFirst(await linkCandidates(options, link), { signal, notice: line => logLine(`cairn: ${line}`) })
  try {
    await client.mesh.removeFile(link.root, secret, { signal })
  } finally {
    await client.close()
  }
  await forgetOwned(options.owned, root)
  if (options.json === true) printJson({ root, removed: true })
  else printLine(`removed ${root}`)
}
