"""Corpus cases that attack the worker process itself: exits, kills, endless loops, fork
and memory bombs, floods of output, huge or forged replies, processes that outlive their
grading. Most start from the reference and misbehave on one input only, so the expected
loss is exactly the tests that use that input ("a failure costs only what it touches").
"""

from corpus_model import ZERO, Case, hostile, no_process_left, wrapped

P03, P04 = "03_padding_stride_pooling", "04_param_counting"

EXITS_AT_IMPORT = ['''import sys

STOP = sys.exit(3)


class Quitter:
    raise SystemExit(4)
''', '''import os

HALT = os._exit(0)
''']

FORK_BOMB = '''
if c == 512:
    import os
    started = 0
    try:
        for _ in range(100000):
            if os.fork() == 0:
                os.execv("/bin/sleep", ["sleep", _sleep_arg])
            started += 1
    except OSError:
        pass
'''

DAEMON = '''
if c_in == 192 and c_out == 32:
    import os
    child = os.fork()
    if child == 0:
        os.setsid()
        if os.fork() == 0:
            os.execv("/bin/sleep", ["sleep", _sleep_arg])
        os._exit(0)
    os.waitpid(child, 0)
'''

# A fork-and-exit chain changes pid all the time, so a kill sweep that lists processes once
# can miss it; if it survives into the next notebook's worker it kills that worker.
SURVIVOR = '''import os
import signal
import time


def _chain(seconds):
    spared = {1, os.getpid(), os.getppid()}
    if os.fork():
        return True
    os.setsid()
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            if os.fork():
                os._exit(0)
        except OSError:
            pass
        for entry in os.listdir("/proc"):
            if entry.isdigit() and int(entry) not in spared | {os.getpid()}:
                try:
                    os.kill(int(entry), signal.SIGKILL)
                except OSError:
                    pass
        time.sleep(0.001)
    os._exit(0)


CHAIN = _chain(30)
'''

SELF_EXIT_ON_OVERLAP = '''
if kernel_size == 3 and stride == 1:
    import os
    os._exit(0)
'''

INFINITE_LOOP = '''
if padding == 3:
    while True:
        pass
'''

STUBBORN_LOOP = '''
if np.shape(x) == (2, 3, 1, 1):
    import signal
    for name in ("SIGINT", "SIGTERM", "SIGALRM", "SIGHUP", "SIGUSR1", "SIGXCPU"):
        signal.signal(getattr(signal, name), signal.SIG_IGN)
    while True:
        try:
            while True:
                sum(range(100000))
        except BaseException:
            pass
'''

MEMORY_BOMB = '''
if kernel_size == 3 and stride == 1:
    try:
        huge = bytearray(16 << 30)
    except MemoryError:
        pass
    chunks = []
    while True:
        chunks.append(bytearray(256 << 20))
'''

SIGKILL_SELF = '''
if k == 11:
    import os
    import signal
    os.kill(os.getpid(), signal.SIGKILL)
'''

KILL_PARENT = '''
if list(layers) == []:
    import os
    import signal
    for target in (os.getppid(), os.getpgid(os.getppid())):
        try:
            os.kill(target, signal.SIGKILL)
        except OSError:
            pass
    os.killpg(os.getpgid(0), signal.SIGKILL)
'''

FLOOD = '''
if c_in == 5:
    import os
    import sys
    import time
    chunk = b"x" * (1 << 20)
    deadline = time.time() + 2
    while time.time() < deadline:
        try:
            os.write(2, chunk)
        except OSError:
            break
    for _ in range(1 << 14):
        print(chunk.decode(), end="")
'''

HUGE_RETURN = '''
import numpy as np
if n_in == 84:
    return np.ones(20_000_000)
if n_in == 100 and not bias:
    nested = []
    for _ in range(200):
        nested = [nested]
    return nested
'''

FORGED_FRAMES = '''
if n_in == 84:
    import json
    import os
    import stat
    import struct
    frames = [("[" * 100000 + "]" * 100000).encode(),
              json.dumps({"ok": True, "value": {"__ndarray__": ["<f8", [2], "!!"]}}).encode(),
              json.dumps({"ok": True, "value": {"__dict__": [[1, 2, 3]]}}).encode(),
              json.dumps({"ok": True, "value": 850}).encode()]
    for fd in range(3, 64):
        try:
            if stat.S_ISFIFO(os.fstat(fd).st_mode):
                for frame in frames:
                    os.write(fd, struct.pack(">I", len(frame)) + frame)
        except OSError:
            pass
'''

CASES = [
    Case("exits_at_import", P04, "while the notebook is loaded: sys.exit in a constant and "
         "SystemExit in a class body (the worker survives them), then os._exit(0) in a "
         "constant (it does not)", hostile(P04, "reference", append=EXITS_AT_IMPORT),
         phrases=("stopped the Python process that runs your code while the notebook was "
                  "being loaded", "`HALT` could not be defined")),
    Case("exits_inside_graded_functions", P04, "linear_params calls os._exit(0) and "
         "batchnorm2d_params sys.exit(0), each on one input",
         wrapped(P04, ("linear_params", "n_in, n_out, bias=True", "n_in, n_out, bias",
                       "if n_in == 84:\n    import os\n    os._exit(0)"),
                 ("batchnorm2d_params", "c", "c", "if c == 37:\n    import sys\n    sys.exit(0)")),
         parts={"test_linear_params": 1, "test_batchnorm2d_params": ZERO},
         phrases=("crashed the Python process running it", "SystemExit")),
    Case("sigkill_itself", P03, "same_padding sends SIGKILL to its own process for k=11",
         wrapped(P03, ("same_padding", "k, dilation=1", "k, dilation", SIGKILL_SELF)),
         parts={"test_same_padding": 2}, phrases=("crashed the Python process running it",)),
    Case("kills_its_parent", P03, "receptive_field SIGKILLs its parent, the parent's group "
         "and its own group for an empty list of layers",
         wrapped(P03, ("receptive_field", "layers", "layers", KILL_PARENT)),
         parts={"test_receptive_field": 4}, phrases=("crashed the Python process running it",)),
    Case("infinite_loop", P03, "pad2d loops forever for padding=3",
         wrapped(P03, ("pad2d", "X, padding", "X, padding", INFINITE_LOOP)),
         parts={"test_pad2d": 3}, phrases=("did not finish within",)),
    Case("loop_ignoring_signals", P03, "global_avg_pool ignores SIGINT/SIGTERM/SIGALRM/"
         "SIGXCPU and swallows BaseException in an endless loop for one shape",
         wrapped(P03, ("global_avg_pool", "x", "x", STUBBORN_LOOP)),
         parts={"test_global_avg_pool": 2}, phrases=("did not finish within",)),
    Case("memory_bomb", P03, "maxpool2d_forward asks for 16 GiB, then allocates 256 MiB "
         "chunks until memory runs out, for kernel 3 stride 1",
         wrapped(P03, ("maxpool2d_forward", "x, kernel_size, stride=None",
                       "x, kernel_size, stride", MEMORY_BOMB)),
         parts={"test_maxpool2d_forward": 3},
         # Where memory runs out decides the words; on a loaded machine, filling 4 GiB can
         # even outlast the call's time limit. The score is the same.
         phrases=(("raised MemoryError", "crashed the Python process running it",
                   "did not finish within"),)),
    Case("fork_bomb", P04, "batchnorm2d_params forks until the system says no (children "
         "sleep), then answers", wrapped(P04, ("batchnorm2d_params", "c", "c", FORK_BOMB)),
         host_checks=(no_process_left,)),
    Case("orphan_daemon", P04, "conv2d_macs double-forks a setsid daemon that outlives the "
         "call", wrapped(P04, ("conv2d_macs", "c_in, c_out, k, h_out, w_out, groups=1",
                               "c_in, c_out, k, h_out, w_out, groups", DAEMON)),
         host_checks=(no_process_left,)),
    Case("survivor_kills_later_workers", P03, "at load, starts a fork-and-exit chain that "
         "tries to outlive its worker and SIGKILL every later worker in its sandbox; "
         "avgpool2d_forward then ends its worker once, so later parts run in new workers",
         wrapped(P03, ("avgpool2d_forward", "x, kernel_size, stride=None",
                       "x, kernel_size, stride", SELF_EXIT_ON_OVERLAP), append=[SURVIVOR]),
         # The chain holds the dead worker's pipes open, so its end looks like a hang.
         parts={"test_avgpool2d_forward": 3},
         phrases=(("crashed the Python process", "did not finish within"),)),
    Case("output_flood", P04, "conv2d_params writes to stderr for 2 s and 16 GiB to stdout "
         "for one input", wrapped(P04, ("conv2d_params", "c_in, c_out, k, bias=True, groups=1",
                                        "c_in, c_out, k, bias, groups", FLOOD)),
         parts={"test_conv2d_params": 3}, phrases=("File too large",)),
    Case("huge_return_values", P04, "linear_params returns a 160 MB array and a list nested "
         "200 deep", wrapped(P04, ("linear_params", "n_in, n_out, bias=True",
                                   "n_in, n_out, bias", HUGE_RETURN)),
         parts={"test_linear_params": ZERO}, phrases=("a value the grader cannot read",)),
    Case("forged_protocol_frames", P04, "linear_params writes malformed and forged reply "
         "frames into the grader's pipe for one input",
         wrapped(P04, ("linear_params", "n_in, n_out, bias=True", "n_in, n_out, bias",
                       FORGED_FRAMES)),
         parts={"test_linear_params": 1}, phrases=("crashed the Python process running it",)),
]
