/** The one adapter between Web Streams (edges: `File.stream()`) and core's async iterables. */
export async function * iterateStream (stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader()
  try {
    while (true) {
      const { done, value } = await reader.read()
      if (done) return
      yield value
    }
  } finally {
    await reader.cancel().catch(() => {}) // the stream may have failed already: that error went to the consumer
    reader.releaseLock()
  }
}
