/**
 * Preloaded (`-r`) into every process the stream bench starts: when the bench's process goes
 * away (its IPC channel closes, even on SIGKILL), this one exits too, so no server is left
 * behind. The listener keeps the channel referenced; every child is stopped by a signal.
 */
if (process.channel) process.on('disconnect', () => process.exit(1));
