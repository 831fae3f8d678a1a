"""Shared helpers of the bench scripts (eval, perf, scale, run): paths,
locating or building the programs, measured child processes, statistics,
machine and version facts, and the nsearch command line in one place."""
import glob
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
WORK = os.path.join(BENCH, "work")
RESULTS = os.path.join(BENCH, "results")
SHARED = os.environ.get("NS_SHARED", os.path.join(os.path.dirname(ROOT),
                                                   "shared"))
RELEVANCE = os.path.join(SHARED, "eval", "relevance")
NSEARCH_BUILD = os.path.join(ROOT, "build-bench")
NSEARCH_INSTALL = os.path.join(ROOT, "bench", "work", "install")
XAPIAN_RAW = os.path.join(WORK, "bin", "xapian_raw")
WORD = re.compile(r"\w+")


def log(msg):
    sys.stderr.write(msg + "\n")
    sys.stderr.flush()


def workdir(*parts):
    path = os.path.join(WORK, *parts)
    os.makedirs(path, exist_ok=True)
    return path


def fresh(path):
    """Removes path (file or tree) if it exists; returns it."""
    if os.path.isdir(path):
        shutil.rmtree(path)
    elif os.path.exists(path):
        os.unlink(path)
    return path


def plain_corpus(path):
    """path itself, or for a .zst file its decompressed copy under
    bench/work/corpus (made once)."""
    if not path.endswith(".zst"):
        return path
    name = os.path.basename(os.path.dirname(os.path.abspath(path))) + "-" + \
        os.path.basename(path)[:-4]
    out = os.path.join(workdir("corpus"), name)
    if not os.path.exists(out) or os.path.getmtime(out) < os.path.getmtime(path):
        log(f"bench: decompressing {path}")
        with open(out + ".tmp", "wb") as f:
            subprocess.run(["zstd", "-dc", path], stdout=f, check=True)
        os.replace(out + ".tmp", out)
    return out


# ---- programs ---------------------------------------------------------------

def find_nsearch():
    """The nsearch binary: $NSEARCH, the installed build-bench (see
    build_nsearch), build-bench/nsearch or build/nsearch."""
    cands = [os.environ.get("NSEARCH", ""),
             os.path.join(NSEARCH_INSTALL, "bin", "nsearch"),
             os.path.join(NSEARCH_BUILD, "nsearch"),
             os.path.join(ROOT, "build", "nsearch")]
    for c in cands:
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            return c
    return None


def nsearch_libdir(nsearch):
    """The directory of the libnsearch that the binary nsearch uses: beside
    it (a build tree) or ../lib (installed)."""
    here = os.path.dirname(os.path.abspath(nsearch))
    for d in (here, os.path.join(os.path.dirname(here), "lib")):
        if glob.glob(os.path.join(d, "libnsearch.so*")):
            return d
    return here


def build_nsearch():
    """Builds nsearch (Release) in build-bench/ and installs it in
    work/install/; returns the installed binary or None.  Installed, as
    users run it: the build tree's binary has CMake's build RUNPATH (the
    build directory and an empty entry, the current directory), where the
    loader looks for every library first, 27 more failed system calls at
    each start."""
    if os.environ.get("NSEARCH"):
        return find_nsearch()
    if not os.path.isdir(os.path.join(ROOT, "cli")):
        return None
    try:
        subprocess.run(["cmake", "-S", ROOT, "-B", NSEARCH_BUILD,
                        "-DCMAKE_BUILD_TYPE=Release"], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        # Every target the install copies: one left unbuilt installs its
        # old file (the readers module, the shared library nsearch_lat
        # links).
        subprocess.run(["cmake", "--build", NSEARCH_BUILD, "-j2",
                        "--target", "nsearch_cli", "nsearch", "nsearch_static",
                        "nsearch_readers", "store_ratio"],
                       check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE)
        subprocess.run(["cmake", "--install", NSEARCH_BUILD, "--prefix",
                        NSEARCH_INSTALL], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    except subprocess.CalledProcessError as e:
        tail = (e.stderr or b"").decode("utf-8", "replace")[-2000:]
        log(f"bench: building nsearch failed:\n{tail}")
    path = os.path.join(NSEARCH_INSTALL, "bin", "nsearch")
    return path if os.access(path, os.X_OK) else None


def build_xapian_raw():
    """Builds xapian_raw and rusage_run (make -C bench); returns xapian_raw."""
    subprocess.run(["make", "-s", "-C", BENCH], check=True,
                   stdout=subprocess.DEVNULL)
    return XAPIAN_RAW


def nsearch_help(nsearch, *cmd):
    """The help text of nsearch [cmd] (stdout+stderr), "" if it fails."""
    try:
        p = subprocess.run([nsearch, *cmd, "--help"], capture_output=True,
                           timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return (p.stdout + p.stderr).decode("utf-8", "replace")


def nsearch_has(nsearch, command):
    """True when `nsearch --help` lists COMMAND among its commands.  (Asking
    `nsearch COMMAND --help` would not do: an unknown command is taken as a
    query word of the default search command.)"""
    text = nsearch_help(nsearch)
    return bool(re.search(rf"^\s+{re.escape(command)}\s", text, re.M))


def nsearch_bag(query):
    """A query as nsearch runs eval queries: its word tokens, lower-cased
    (so AND/OR/NOT stay plain words), joined by spaces; nsearch ranks
    articles with any of the words (BM25), so this is the words ORed."""
    return " ".join(w.lower() for w in WORD.findall(query))


# ---- measured children --------------------------------------------------------

class Measured:
    """Wall time, CPU time (user+sys) and peak RSS of one child process."""

    def __init__(self, rc, wall, cpu, maxrss_kb):
        self.rc, self.wall, self.cpu, self.maxrss_kb = rc, wall, cpu, maxrss_kb

    @property
    def rss_mb(self):
        return self.maxrss_kb / 1024.0


RUSAGE_RUN = os.path.join(WORK, "bin", "rusage_run")


def run_measured(argv, stdout=None, stderr=None, stdin=None, ok=(0,)):
    """Runs argv under rusage_run (so the peak RSS is the child's own, not
    inherited from this Python process) and returns its Measured; raises on
    an exit status outside ok.  stdout/stderr/stdin: paths (None: discard;
    stderr None keeps it for the error message)."""
    if not os.access(RUSAGE_RUN, os.X_OK):
        build_xapian_raw()
    report = os.path.join(workdir("tmp"), f"rusage-{os.getpid()}.txt")
    out = open(stdout, "wb") if stdout else subprocess.DEVNULL
    err = open(stderr, "wb") if stderr else subprocess.PIPE
    inp = open(stdin, "rb") if stdin else subprocess.DEVNULL
    try:
        p = subprocess.run([RUSAGE_RUN, report, *argv], stdout=out,
                           stderr=err, stdin=inp)
    finally:
        for f in (out, err, inp):
            if hasattr(f, "close"):
                f.close()
    with open(report) as f:
        rc, wall, cpu, rss = f.read().split()
    os.unlink(report)
    if p.returncode not in ok:
        msg = (p.stderr or b"").decode("utf-8", "replace")[-2000:]
        raise RuntimeError(f"{' '.join(argv)}: exit {p.returncode}\n{msg}")
    return Measured(int(rc), float(wall), float(cpu), int(rss))


# ---- statistics and sizes -----------------------------------------------------

def median(xs):
    return statistics.median(xs) if xs else float("nan")


def percentile(xs, p):
    """Nearest-rank percentile (p in 0..100)."""
    if not xs:
        return float("nan")
    s = sorted(xs)
    k = max(0, min(len(s) - 1, -(-len(s) * p // 100) - 1))
    return s[int(k)]


def disk_size(path):
    """Bytes of a file or of every file under a directory."""
    if os.path.isfile(path):
        return os.path.getsize(path)
    total = 0
    for d, _, files in os.walk(path):
        for f in files:
            fp = os.path.join(d, f)
            if not os.path.islink(fp):
                total += os.path.getsize(fp)
    return total


def ratio(a, b):
    if a is None or b is None or b == 0 or a != a or b != b:
        return None
    return a / b


def fmt(x, spec=".4f", na="n/a"):
    if x is None or (isinstance(x, float) and x != x):
        return na
    return format(x, spec)


def jsonl_stats(path):
    """(articles, bytes of the file, bytes of title+text)."""
    n = size = text = 0
    with open(path, "rb") as f:
        for line in f:
            size += len(line)
            if line.strip():
                d = json.loads(line)
                n += 1
                text += len(d.get("title", "").encode("utf-8"))
                text += len(d.get("text", "").encode("utf-8"))
    return n, size, text


# ---- machine and versions ----------------------------------------------------

def machine():
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return {"nproc": os.cpu_count(), "memory_gib": mem / 2**30, "cpu": cpu,
            "kernel": platform.release(), "python": platform.python_version(),
            "loadavg": os.getloadavg()}


def versions(nsearch=None):
    import sqlite3
    v = {"sqlite": sqlite3.sqlite_version}
    try:
        v["xapian"] = subprocess.run(["xapian-config", "--version"],
                                     capture_output=True, text=True
                                     ).stdout.strip().split()[-1]
    except OSError:
        v["xapian"] = "unknown"
    v["nsearch"] = "not built"
    if nsearch:
        try:
            p = subprocess.run([nsearch, "--version"], capture_output=True,
                               text=True, timeout=30)
            v["nsearch"] = (p.stdout or p.stderr).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.TimeoutExpired):
            v["nsearch"] = "unknown"
        try:
            rev = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short",
                                  "HEAD"], capture_output=True, text=True)
            dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain",
                                    "--untracked-files=no", "--", ".",
                                    ":!bench"], capture_output=True, text=True)
            v["nsearch"] += (f", commit {rev.stdout.strip()}" +
                             (" + uncommitted changes" if dirty.stdout.strip()
                              else ""))
        except OSError:
            pass
    return v
