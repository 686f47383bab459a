"""A models module that hangs at import (tests: --timeout stops it and its
process group). It starts a child that would outlive it, writes both pids to
$SG_MODELS_PIDFILE, then sleeps."""
import os
import subprocess
import sys
import time

child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
with open(os.environ["SG_MODELS_PIDFILE"], "w") as f:
    f.write("%d %d\n" % (os.getpid(), child.pid))
time.sleep(600)
