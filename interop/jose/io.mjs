// Shared stdin/stdout plumbing for the `jose` peer scripts: one JSON request in, one JSON answer out.
// Errors go to stderr with a non-zero exit status so the Rust side can show them.

export async function readRequest() {
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  return JSON.parse(text);
}

export function reply(answer) {
  process.stdout.write(JSON.stringify(answer));
}

export async function serve(handler) {
  try {
    reply(await handler(await readRequest()));
  } catch (err) {
    process.stderr.write(`${err?.code ?? 'ERROR'}: ${err?.message ?? err}\n`);
    process.exitCode = 1;
  }
}
