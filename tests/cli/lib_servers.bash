# Helpers for the CLI tests that start servers (sourced after lib.bash):
# every server listens on 127.0.0.1 only, on a port found free at run
# time, in a process group of its own (setsid), and is stopped by the
# test's exit trap, whatever happens.  Bounded: each start tries at most
# 20 ports, and waits at most 10 s for each.
SERVERS=""
stop_servers() {
    local g
    for g in $SERVERS; do
        kill -CONT -- "-$g" 2>/dev/null
        kill -KILL -- "-$g" 2>/dev/null
    done
    SERVERS=""
}
trap 'stop_servers; rm -rf "$TMP"' EXIT

# wait_for FILE PATTERN PID: until FILE holds PATTERN (0), or PID is gone or
# 10 s passed (1).
wait_for() {
    local i
    for i in $(seq 200); do
        grep -q -- "$2" "$1" 2>/dev/null && return 0
        kill -0 "$3" 2>/dev/null || return 1
        sleep 0.05
    done
    return 1
}

# wait_for_more FILE PATTERN N PID: until FILE holds more than N lines
# with PATTERN (0), or PID is gone or 10 s passed (1).
wait_for_more() {
    local i
    for i in $(seq 200); do
        [ "$(grep -c -- "$2" "$1" 2>/dev/null)" -gt "$3" ] && return 0
        kill -0 "$4" 2>/dev/null || return 1
        sleep 0.05
    done
    return 1
}

# listening PORT PID: until something accepts connections on
# 127.0.0.1:PORT and PID still runs a moment later (0), or PID is gone or
# 10 s passed (1).  For servers that say nothing when they are ready.
listening() {
    local i
    for i in $(seq 200); do
        kill -0 "$2" 2>/dev/null || return 1
        if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
            sleep 0.2
            kill -0 "$2" 2>/dev/null
            return
        fi
        sleep 0.05
    done
    return 1
}

# start NAME COMMAND...: run COMMAND with PORT replaced by a free port,
# in its own process group; sets $PORT and $PGID (and NAME_PORT,
# NAME_PGID), with its output in $TMP/NAME.log.  Ready when its output
# says "Listening" (xapian-tcpsrv), or with READY=connect when it accepts
# a connection.  Returns 1 if no port would do.
start() {
    local name=$1 try p args a
    shift
    for try in $(seq 20); do
        p=$((20000 + RANDOM % 40000))
        args=()
        for a in "$@"; do args+=("${a//PORT/$p}"); done
        : >"$TMP/$name.log"
        # setsid: a group of its own (xapian-tcpsrv signals its whole
        # group on SIGTERM); $$ of the sh is the group's id.
        setsid sh -c 'echo $$ >"$0"; exec "$@"' "$TMP/$name.pid" "${args[@]}" \
            >"$TMP/$name.log" 2>&1 </dev/null &
        local launcher=$!
        for _ in $(seq 100); do
            [ -s "$TMP/$name.pid" ] && break
            sleep 0.02
        done
        local g
        g=$(cat "$TMP/$name.pid" 2>/dev/null)
        [ -n "$g" ] || { wait "$launcher" 2>/dev/null; continue; }
        SERVERS="$SERVERS $g"
        if if [ "${READY:-}" = connect ]; then listening "$p" "$g"
           else wait_for "$TMP/$name.log" "Listening" "$g"; fi; then
            disown "$launcher" 2>/dev/null # no "Killed" notice at the end
            PORT=$p
            PGID=$g
            printf -v "${name}_PORT" %s "$p"
            printf -v "${name}_PGID" %s "$g"
            rm -f "$TMP/$name.pid"
            return 0
        fi
        kill -KILL -- "-$g" 2>/dev/null
        wait "$launcher" 2>/dev/null
        rm -f "$TMP/$name.pid"
    done
    bad "$name: no free port found for: $*"
    return 1
}
