"""Where student code runs: a worker process started plainly (``plain``), inside bubblewrap
(``bubblewrap``) or forked by a sandboxed fork server (``forkserver``); ``launch`` picks."""
