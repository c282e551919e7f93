// Preloaded (--require) into the API only when the benchmark profiles it (--cpu-prof). Nest's shutdown hook
// closes the app and then re-raises the signal, which kills the process before Node writes the
// .cpuprofile; with this listener present the re-raised signal ends the process with a normal exit instead.
let seen = 0;
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    seen += 1;
    if (seen >= 2) process.exit(0);
    // Nest did not re-raise (or is not listening yet): exit anyway once it has had time to close.
    setTimeout(() => process.exit(0), 15_000).unref();
  });
}
