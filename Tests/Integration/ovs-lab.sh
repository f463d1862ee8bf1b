#!/usr/bin/env bash
# ovs-lab.sh — a reproducible Open vSwitch Geneve lab in network namespaces, for OverlayTrace's integration tests.
#
# Two or three "hosts" (namespaces ot-host1..3), each running its OWN ovsdb-server + ovs-vswitchd with the userspace
# datapath (datapath_type=netdev) and OVS userspace tunnelling: br-phy owns the TEP address 172.31.0.1N/24 and the
# underlay veth, br-int holds the VM veths and one Geneve port (key=flow) per remote TEP. "VMs" are namespaces
# ot-vm1..5 on 10.0.0.0/24. An underlay namespace ot-underlay bridges the hosts (MTU 1600) and has the capture points.
# Nothing leaves the machine. See Tests/Integration/README.md for the wiring diagram.
#
# Usage: ovs-lab.sh [--workdir DIR] COMMAND [options]
#   can-run                         exit 0 if this machine can run the lab, else say why and exit 77
#   up [--teps 2|3] [--segments 1|2]  build the lab (tears down any previous one first); default 3 TEPs, 2 segments
#   traffic                         ping (5x per pair, plus a 1472-byte DF ping) and a TCP exchange between VMs across
#                                   hosts, and check that the two segments are isolated
#   capture-check [--pcap FILE] [--span]
#                                   tcpdump on host1's underlay link ot-u1 (or, with --span, on ot-span, which mirrors
#                                   every underlay frame) while `traffic` runs, then verify with tshark that Geneve
#                                   between the TEPs with the lab's VNIs and the inner flows were seen
#                                   (--pcap copies the capture to FILE so it outlives `down`)
#   env                             print shell-sourceable variables (names, IPs, MACs, VNIs) on stdout
#   diag                            OVS state of every host (bridges, flows with counters, routes, neighbours, logs)
#   down [--keep-logs]              stop every daemon by PID, delete namespaces, veths and the workdir; idempotent
#   replay-check FILE.pcap          inject FILE with tcpreplay on ot-rpa (namespace ot-replay), capture on its peer ot-rpb,
#                                   check the same packets (count and bytes) arrived; creates and destroys its own pair
#   replay-up [--mtu N] | replay-down  create (MTU 9000 by default) / destroy only that veth pair, for a test that
#                                   captures on ot-rpb itself
#   replay-send FILE.pcap           tcpreplay FILE onto ot-rpa (after replay-up)
#
# The workdir is $OT_LAB_WORKDIR or /tmp/ot-ovslab unless --workdir is given; it holds the OVS databases, sockets,
# pidfiles and logs (lab.log is the full command log). The lab is a singleton per machine: names are fixed and
# prefixed "ot-", and `up` removes stale ot-* lab namespaces left by a crashed run.
#
# Output: everything goes to stderr, except `env` (stdout).
# Exit codes:
#   0  success
#   1  a check failed (traffic did not pass, capture or replay did not show what it must)
#   2  usage error (unknown command/option, bad argument, workdir not ours)
#   3  the lab is not up (no state in the workdir)
#   4  `up` failed while building the lab (a summary with the OVS log tails is printed; the lab is torn down)
#   77 this machine cannot run the lab (not root, no netns/veth/tun, OVS or tools missing); the reason is printed
set -Eeuo pipefail
shopt -s nullglob

exec 3>&1 1>&2 # stdout is reserved for `env`; every other message goes to stderr

readonly SCRIPT_NAME=ovs-lab.sh
readonly UNDERLAY_NS=ot-underlay
readonly UNDERLAY_BRIDGE=ot-ubr
readonly SPAN_IF=ot-span        # receives a mirror of every frame entering the underlay bridge
readonly SPAN_PEER=ot-spanp
readonly REPLAY_NS=ot-replay
readonly REPLAY_TX=ot-rpa
readonly REPLAY_RX=ot-rpb
readonly UNDERLAY_MTU=1600      # NSX's minimum: a 1500-byte inner frame plus 50 bytes of Geneve/UDP/IPv4 fits
readonly VM_MTU=1500
readonly GENEVE_PORT=6081
readonly TCP_PORT=5201
readonly VNI_A=5001
readonly VNI_B=5002
readonly MAX_VMS=5
readonly MAX_TEPS=3

WORKDIR=${OT_LAB_WORKDIR:-/tmp/ot-ovslab}
LOG=/dev/null
PYTHON=

say() { printf '[%s] %s\n' "$SCRIPT_NAME" "$*" >&2; [ "$LOG" = /dev/null ] || printf '# %s\n' "$*" >>"$LOG"; }
warn() { say "warning: $*"; }
fail() { # fail STATUS MESSAGE...
    local status=$1
    shift
    say "error: $*"
    exit "$status"
}

# run CMD...: log the command and its output to lab.log; on failure show the output's tail and return the status.
run() {
    local out rc=0
    printf '+ [%s] %s\n' "${EPOCHREALTIME:-}" "$*" >>"$LOG"
    out=$("$@" 2>&1) || rc=$?
    [ -z "$out" ] || printf '%s\n' "$out" >>"$LOG"
    if [ "$rc" -ne 0 ]; then
        say "command failed (exit $rc): $*"
        [ -z "$out" ] || printf '%s\n' "$out" | tail -n 20 | sed 's/^/    /' >&2
    fi
    return "$rc"
}

# ---------------------------------------------------------------------------------------------------------------
# Lab model: who lives where. TEP k (1-based) is host k; VMs 1..3 are on VNI 5001 (one per host), VMs 4 and 5 on
# VNI 5002 (hosts 1 and 2).

host_ns() { printf 'ot-host%s' "$1"; }
tep_ip() { printf '172.31.0.1%s' "$1"; }
tep_mac() { printf '02:ac:1f:00:00:1%s' "$1"; } # 02:ac:1f = locally administered, "172.31"
underlay_if() { printf 'ot-u%s' "$1"; }          # underlay-namespace side of host k's link
phy_if() { printf 'ot-phy%s' "$1"; }             # host side of that link, a port of br-phy
tunnel_port() { printf 'gnv-h%s' "$1"; }          # on every other host: the Geneve port towards host k
tunnel_ofport() { printf '%s' $((100 + $1)); }

vm_ns() { printf 'ot-vm%s' "$1"; }
vm_port() { printf 'ot-vm%sp' "$1"; } # host side of the VM's veth, a port of br-int
vm_ofport() { printf '%s' $((10 + $1)); }
vm_host() { case $1 in 1 | 4) echo 1 ;; 2 | 5) echo 2 ;; 3) echo 3 ;; esac; }
vm_vni() { if [ "$1" -le 3 ]; then echo "$VNI_A"; else echo "$VNI_B"; fi; }
vm_ip() { if [ "$1" -le 3 ]; then printf '10.0.0.1%s' "$1"; else printf '10.0.0.2%s' $(($1 - 3)); fi; }
# 0a:… is locally administered and unknown to Wireshark's vendor tables (02:01–02:20 would print as "MS-NLB").
vm_mac() { local ip; ip=$(vm_ip "$1"); printf '0a:00:00:00:00:%s' "${ip##*.}"; }

# Set by load_state / up: TEPS (2|3), SEGMENTS (1|2), VMS (list of VM indexes).
TEPS=3
SEGMENTS=2
VMS=()

compute_vms() {
    VMS=(1 2)
    [ "$TEPS" -ge 3 ] && VMS+=(3)
    [ "$SEGMENTS" -ge 2 ] && VMS+=(4 5)
    return 0
}
vnis() { if [ "$SEGMENTS" -ge 2 ]; then echo "$VNI_A $VNI_B"; else echo "$VNI_A"; fi; }
all_lab_namespaces() { # every namespace name this script may create, lab and replay
    local i
    echo "$UNDERLAY_NS" "$REPLAY_NS"
    for i in $(seq 1 "$MAX_TEPS"); do host_ns "$i"; echo; done
    for i in $(seq 1 "$MAX_VMS"); do vm_ns "$i"; echo; done
}

host_dir() { printf '%s/host%s' "$WORKDIR" "$1"; }
ovs_env() { # ovs_env K: the environment that points OVS tools and daemons at host K's private directories
    local d
    d=$(host_dir "$1")
    printf '%s\n' "OVS_RUNDIR=$d" "OVS_DBDIR=$d" "OVS_LOGDIR=$d" "OVS_SYSCONFDIR=$d" "OVS_PKGDATADIR=$OVS_PKGDATA"
}
in_host() { # in_host K CMD...: run CMD inside host K's namespace with host K's OVS environment
    local k=$1
    shift
    local envs
    mapfile -t envs < <(ovs_env "$k")
    ip netns exec "$(host_ns "$k")" env "${envs[@]}" "$@"
}
vsctl() { local k=$1; shift; in_host "$k" ovs-vsctl --db="unix:$(host_dir "$k")/db.sock" --timeout=10 "$@"; }
appctl() { local k=$1; shift; in_host "$k" ovs-appctl --timeout=10 -t "$(host_dir "$k")/ovs-vswitchd.ctl" "$@"; }
ofctl() { local k=$1; shift; in_host "$k" ovs-ofctl -O OpenFlow13 --timeout=10 "$@"; }
br_int_mgmt() { printf 'unix:%s/br-int.mgmt' "$(host_dir "$1")"; }

OVS_PKGDATA=/usr/share/openvswitch
find_schema() {
    local d
    for d in "${OVS_PKGDATADIR:-}" /usr/share/openvswitch /usr/local/share/openvswitch; do
        if [ -n "$d" ] && [ -f "$d/vswitch.ovsschema" ]; then OVS_PKGDATA=$d; return 0; fi
    done
    return 1
}
find_python() {
    local p
    for p in /usr/bin/python3 "$(command -v python3 || true)"; do
        if [ -n "$p" ] && [ -x "$p" ]; then PYTHON=$p; return 0; fi
    done
    return 1
}

# ---------------------------------------------------------------------------------------------------------------
# Workdir, state and the safety marker (down only deletes a directory that up created).

readonly MARKER=.ot-ovslab
state_file() { printf '%s/lab.state' "$WORKDIR"; }

prepare_workdir() {
    if [ -e "$WORKDIR" ] && [ ! -e "$WORKDIR/$MARKER" ] && [ -n "$(ls -A "$WORKDIR" 2>/dev/null)" ]; then
        fail 2 "workdir $WORKDIR exists, is not empty and was not created by $SCRIPT_NAME; refusing to use it"
    fi
    mkdir -p "$WORKDIR"
    WORKDIR=$(cd "$WORKDIR" && pwd -P)
    : >"$WORKDIR/$MARKER"
    LOG=$WORKDIR/lab.log
    : >>"$LOG"
}

load_state() {
    local f
    f=$(state_file)
    [ -f "$f" ] || fail 3 "the lab is not up (no $f); run '$SCRIPT_NAME up' first"
    # shellcheck disable=SC1090
    . "$f"
    LOG=$WORKDIR/lab.log
    compute_vms
    find_schema || true
    find_python || true
}

write_state() {
    printf 'TEPS=%s\nSEGMENTS=%s\n' "$TEPS" "$SEGMENTS" >"$(state_file)"
}

# ---------------------------------------------------------------------------------------------------------------
# can-run

can_run_reasons() { # prints one reason per line why the lab cannot run here; nothing when it can
    [ "$(id -u)" -eq 0 ] || echo "not root (the lab creates network namespaces and runs ovs-vswitchd; run as root)"
    local tool
    for tool in ip ovs-vswitchd ovsdb-server ovs-vsctl ovs-appctl ovs-ofctl ovsdb-tool timeout sysctl; do
        command -v "$tool" >/dev/null 2>&1 || echo "missing '$tool' (apt-get install -y openvswitch-switch iproute2 procps)"
    done
    find_schema || echo "OVS schema vswitch.ovsschema not found in /usr/share/openvswitch (install openvswitch-common)"
    find_python || echo "python3 not found (the ICMP and TCP traffic use it; openvswitch-common depends on it)"
    [ -c /dev/net/tun ] || echo "/dev/net/tun missing (the netdev datapath's internal ports are tap devices)"
    [ "$(id -u)" -eq 0 ] || return 0
    command -v ip >/dev/null 2>&1 || return 0
    local probe=ot-canrun$$
    if ! ip netns add "$probe" 2>/dev/null; then
        echo "'ip netns add' failed (no permission to create network namespaces: container without CAP_SYS_ADMIN?)"
        return 0
    fi
    ip -n "$probe" link add ot-cra type veth peer name ot-crb 2>/dev/null ||
        echo "cannot create a veth pair in a namespace (kernel without veth?)"
    ip -n "$probe" link add ot-crbr type bridge 2>/dev/null ||
        echo "cannot create a Linux bridge in a namespace (kernel without bridge support?)"
    ip netns del "$probe" 2>/dev/null || true
}

cmd_can_run() {
    local reasons
    reasons=$(can_run_reasons)
    if [ -n "$reasons" ]; then
        printf '%s\n' "$reasons" | sed "s/^/[$SCRIPT_NAME] cannot run: /" >&2
        exit 77
    fi
    local optional=""
    command -v tcpdump >/dev/null 2>&1 || optional+=" tcpdump"
    command -v tshark >/dev/null 2>&1 || optional+=" tshark"
    command -v tcpreplay >/dev/null 2>&1 || optional+=" tcpreplay"
    [ -z "$optional" ] || warn "optional tools missing (capture-check/replay-check need them):$optional"
    say "can-run: yes ($(ovs-vswitchd --version | head -n 1), $(uname -r))"
}

# ---------------------------------------------------------------------------------------------------------------
# Processes: every daemon is stopped by the PID in its pidfile (checked against /proc so a recycled PID is never
# signalled), and any process still inside a lab namespace is stopped by its PID too.

pid_alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }

# stop_pids GRACE_SECONDS PID...: SIGTERM to all at once (an OVS daemon takes ~2 s to exit), wait, then SIGKILL.
stop_pids() {
    local grace=$1 pid i alive
    shift
    for pid in "$@"; do pid_alive "$pid" && kill -TERM "$pid" 2>/dev/null; done
    for i in $(seq 1 $((grace * 10))); do
        alive=()
        for pid in "$@"; do pid_alive "$pid" && alive+=("$pid"); done
        [ ${#alive[@]} -eq 0 ] && return 0
        sleep 0.1
    done
    warn "PID(s) ${alive[*]} did not stop after ${grace}s; sending SIGKILL"
    kill -KILL "${alive[@]}" 2>/dev/null || true
    for i in $(seq 1 20); do
        alive=()
        for pid in "$@"; do pid_alive "$pid" && alive+=("$pid"); done
        [ ${#alive[@]} -eq 0 ] && return 0
        sleep 0.1
    done
}
stop_pid() { stop_pids "${2:-5}" "$1"; }

# pidfile_pid FILE: the PID in FILE when that process is alive and its command line mentions our workdir.
pidfile_pid() {
    local file=$1 pid
    [ -f "$file" ] || return 1
    pid=$(tr -dc '0-9' <"$file")
    pid_alive "$pid" || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$WORKDIR/" || return 1
    printf '%s' "$pid"
}

lab_namespaces_present() { # the lab namespaces that exist now (not ot-replay, which has its own life cycle)
    local ns present
    present=$(ip netns list 2>/dev/null | awk '{print $1}')
    for ns in $(all_lab_namespaces); do
        [ "$ns" = "$REPLAY_NS" ] && continue
        grep -qx "$ns" <<<"$present" && echo "$ns"
    done
    return 0
}

# stop_lab_processes: the daemons of this workdir (by pidfile) and anything still running inside a lab namespace
# (a crashed run's daemons, a stray TCP server; by `ip netns pids`), all signalled at once.
stop_lab_processes() {
    local pidfile pid ns pids=() what=()
    if [ -d "$WORKDIR" ] && [ -e "$WORKDIR/$MARKER" ]; then
        for pidfile in "$WORKDIR"/*.pid "$WORKDIR"/host*/ovs-vswitchd.pid "$WORKDIR"/host*/ovsdb-server.pid; do
            if pid=$(pidfile_pid "$pidfile"); then
                pids+=("$pid")
                what+=("$(basename "$(dirname "$pidfile")")/$(basename "$pidfile" .pid)=$pid")
            fi
        done
    fi
    for ns in $(lab_namespaces_present); do
        for pid in $(ip netns pids "$ns" 2>/dev/null); do
            [[ " ${pids[*]} " == *" $pid "* ]] && continue
            pids+=("$pid")
            what+=("$ns:$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | cut -d' ' -f1-2)=$pid")
        done
    done
    [ ${#pids[@]} -gt 0 ] || return 0
    say "stopping ${what[*]}"
    stop_pids 8 "${pids[@]}"
    [ -d "$WORKDIR" ] && [ -e "$WORKDIR/$MARKER" ] && rm -f "$WORKDIR"/*.pid
    return 0
}

# running_lab_workdir: the workdir of the ovsdb-server running in a lab host namespace, if any (conf.db is its first
# argument: WORKDIR/hostN/conf.db).
running_lab_workdir() {
    local k pid db
    for k in $(seq 1 "$MAX_TEPS"); do
        for pid in $(ip netns pids "$(host_ns "$k")" 2>/dev/null); do
            db=$(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | grep -m1 '/conf\.db$') || continue
            dirname "$(dirname "$db")"
            return 0
        done
    done
    return 0
}

# delete_namespace NS: for ot-replay and single namespaces; the lab's are stopped together by stop_lab_processes.
delete_namespace() {
    local ns=$1 pid pids=()
    ip netns list 2>/dev/null | awk '{print $1}' | grep -qx "$ns" || return 0
    for pid in $(ip netns pids "$ns" 2>/dev/null); do pids+=("$pid"); done
    [ ${#pids[@]} -eq 0 ] || { say "stopping PID(s) ${pids[*]} in namespace $ns"; stop_pids 5 "${pids[@]}"; }
    ip netns del "$ns" 2>/dev/null || warn "could not delete namespace $ns"
}

teardown() { # teardown [keep-logs]
    local keep=${1:-} ns
    [ -d "$WORKDIR" ] && [ -e "$WORKDIR/$MARKER" ] && LOG=$WORKDIR/lab.log
    stop_lab_processes
    for ns in $(lab_namespaces_present); do
        ip netns del "$ns" 2>/dev/null || warn "could not delete namespace $ns"
    done
    if [ -d "$WORKDIR" ] && [ -e "$WORKDIR/$MARKER" ]; then
        if [ "$keep" = keep-logs ]; then
            find "$WORKDIR" \( -name '*.sock' -o -name '*.ctl' -o -name '*.mgmt' -o -name '*.snoop' -o -name 'conf.db' -o -name '*.pid' \
                -o -name '.conf.db.*' -o -name lab.state \) -exec rm -f {} + 2>/dev/null || true
            say "logs kept in $WORKDIR (lab.log, host*/ovs-vswitchd.log); '$SCRIPT_NAME --workdir $WORKDIR down' removes them"
        else
            LOG=/dev/null
            rm -rf "$WORKDIR"
        fi
    elif [ -d "$WORKDIR" ] && [ -n "$(ls -A "$WORKDIR" 2>/dev/null)" ]; then
        warn "$WORKDIR was not created by $SCRIPT_NAME (no $MARKER); left in place"
    fi
}

verify_clean() {
    local left
    left=$(ip netns list 2>/dev/null | awk '{print $1}' | grep -E '^ot-(underlay|host[0-9]|vm[0-9])$' || true)
    [ -z "$left" ] || { warn "namespaces still present: $(tr '\n' ' ' <<<"$left")"; return 1; }
    return 0
}

cmd_down() {
    local keep=""
    while [ $# -gt 0 ]; do
        case $1 in
        --keep-logs) keep="keep-logs" ;;
        *) fail 2 "down: unknown option '$1'" ;;
        esac
        shift
    done
    [ "$(id -u)" -eq 0 ] || fail 77 "down needs root"
    local owner
    owner=$(running_lab_workdir)
    if [ -n "$owner" ] && [ "$owner" != "$WORKDIR" ]; then
        warn "the lab running now belongs to workdir $owner, not $WORKDIR: left running" \
            "('$SCRIPT_NAME --workdir $owner down' stops it)"
        if [ -d "$WORKDIR" ] && [ -e "$WORKDIR/$MARKER" ]; then LOG=/dev/null; rm -rf "$WORKDIR"; fi
        return 0
    fi
    teardown "$keep"
    verify_clean || fail 1 "down: leftovers remain (see above)"
    say "down: no lab namespaces or daemons left"
}

# ---------------------------------------------------------------------------------------------------------------
# up

disable_ipv6() { # keep captures to what the tests create: no router solicitations, MLD or DAD from the lab itself
    ip netns exec "$1" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 \
        >>"$LOG" 2>&1 || true
}

make_namespace() {
    run ip netns add "$1"
    disable_ipv6 "$1"
    run ip -n "$1" link set lo up
}

build_underlay() {
    make_namespace "$UNDERLAY_NS"
    run ip -n "$UNDERLAY_NS" link add "$UNDERLAY_BRIDGE" type bridge stp_state 0
    run ip -n "$UNDERLAY_NS" link set "$UNDERLAY_BRIDGE" mtu "$UNDERLAY_MTU" up
    # The span port: a veth pair whose ot-spanp end receives a mirror of every frame entering the bridge.
    run ip -n "$UNDERLAY_NS" link add "$SPAN_IF" mtu "$UNDERLAY_MTU" type veth peer name "$SPAN_PEER" mtu "$UNDERLAY_MTU"
    run ip -n "$UNDERLAY_NS" link set "$SPAN_PEER" up
    run ip -n "$UNDERLAY_NS" link set "$SPAN_IF" up
    SPAN_OK=1
    local k u p
    for k in $(seq 1 "$TEPS"); do
        u=$(underlay_if "$k")
        p=$(phy_if "$k")
        run ip link add "$u" netns "$UNDERLAY_NS" mtu "$UNDERLAY_MTU" type veth \
            peer name "$p" netns "$(host_ns "$k")" mtu "$UNDERLAY_MTU"
        run ip -n "$UNDERLAY_NS" link set "$u" master "$UNDERLAY_BRIDGE" up
        run ip -n "$(host_ns "$k")" link set "$p" up
        if [ "$SPAN_OK" = 1 ]; then
            if ! { run tc -n "$UNDERLAY_NS" qdisc add dev "$u" clsact &&
                run tc -n "$UNDERLAY_NS" filter add dev "$u" ingress protocol all prio 1 u32 match u32 0 0 \
                    action mirred egress mirror dev "$SPAN_PEER"; }; then
                warn "tc mirroring unavailable: no span port (capture on $(underlay_if 1) instead)"
                SPAN_OK=0
            fi
        fi
    done
}

start_ovs() { # start_ovs K: host K's own ovsdb-server and ovs-vswitchd, inside its namespace, files in its host dir
    local k=$1 d
    d=$(host_dir "$k")
    mkdir -p "$d"
    run ovsdb-tool create "$d/conf.db" "$OVS_PKGDATA/vswitch.ovsschema"
    run in_host "$k" ovsdb-server "$d/conf.db" --remote="punix:$d/db.sock" --unixctl="$d/ovsdb-server.ctl" \
        --pidfile="$d/ovsdb-server.pid" --log-file="$d/ovsdb-server.log" --detach --no-chdir \
        -vconsole:off -vsyslog:off -vfile:info
    run vsctl "$k" --no-wait init
    run vsctl "$k" --no-wait set Open_vSwitch . "external_ids:system-id=$(host_ns "$k")" \
        "external_ids:hostname=$(host_ns "$k")"
    run in_host "$k" ovs-vswitchd "unix:$d/db.sock" --unixctl="$d/ovs-vswitchd.ctl" \
        --pidfile="$d/ovs-vswitchd.pid" --log-file="$d/ovs-vswitchd.log" --detach --no-chdir \
        -vconsole:off -vsyslog:off -vfile:info
    # Ready = vswitchd answers on its control socket and ovsdb answers through ovs-vsctl.
    local i
    for i in $(seq 1 50); do
        if in_host "$k" ovs-appctl --timeout=5 -t "$d/ovs-vswitchd.ctl" version >/dev/null 2>&1 &&
            in_host "$k" ovs-vsctl --db="unix:$d/db.sock" --timeout=5 show >/dev/null 2>&1; then
            return 0
        fi
        sleep 0.1
    done
    if pidfile_pid "$d/ovs-vswitchd.pid" >/dev/null; then
        say "ovs-vswitchd of host$k is running but did not answer within 5 s"
    else
        say "ovs-vswitchd of host$k exited during start-up (see $d/ovs-vswitchd.log)"
    fi
    return 1
}

configure_host() { # configure_host K: br-phy with the TEP address, br-int with VM ports and Geneve ports, flows
    local k=$1 ns v j args
    ns=$(host_ns "$k")
    args=(-- add-br br-phy
        -- set Bridge br-phy datapath_type=netdev fail_mode=standalone "other_config:hwaddr=\"$(tep_mac "$k")\""
        -- add-port br-phy "$(phy_if "$k")"
        -- add-br br-int
        -- set Bridge br-int datapath_type=netdev fail_mode=secure)
    for v in "${VMS[@]}"; do
        [ "$(vm_host "$v")" = "$k" ] || continue
        run ip link add "$(vm_port "$v")" netns "$ns" mtu "$VM_MTU" type veth \
            peer name eth0 netns "$(vm_ns "$v")" mtu "$VM_MTU" address "$(vm_mac "$v")"
        run ip -n "$ns" link set "$(vm_port "$v")" up
        args+=(-- add-port br-int "$(vm_port "$v")"
            -- set Interface "$(vm_port "$v")" "ofport_request=$(vm_ofport "$v")")
    done
    for j in $(seq 1 "$TEPS"); do
        [ "$j" = "$k" ] && continue
        args+=(-- add-port br-int "$(tunnel_port "$j")"
            -- set Interface "$(tunnel_port "$j")" type=geneve "options:remote_ip=$(tep_ip "$j")"
            options:key=flow "ofport_request=$(tunnel_ofport "$j")")
    done
    run vsctl "$k" "${args[@]}"
    # br-phy's internal port (a tap device owned by ovs-vswitchd) carries the TEP address: the kernel of the host
    # namespace answers ARP for it and gives OVS its route; OVS itself builds and pops the Geneve headers.
    run ip -n "$ns" link set br-phy up
    run ip -n "$ns" addr add "$(tep_ip "$k")/24" dev br-phy
    wait_for_route "$k"
    for j in $(seq 1 "$TEPS"); do
        [ "$j" = "$k" ] && continue
        run appctl "$k" tnl/neigh/set br-phy "$(tep_ip "$j")" "$(tep_mac "$j")"
    done
    install_flows "$k"
}

wait_for_route() { # OVS caches the kernel's route to the underlay over netlink; add it by hand if it does not show up
    local k=$1 i
    for i in $(seq 1 30); do
        appctl "$k" ovs/route/lookup "$(tep_ip "$((k % TEPS + 1))")" 2>/dev/null | grep -q 'dev br-phy' && return 0
        sleep 0.1
    done
    warn "host$k: OVS did not cache the route to 172.31.0.0/24; adding it with ovs/route/add"
    run appctl "$k" ovs/route/add 172.31.0.0/24 br-phy
}

# The flow tables a controller would push (static, no learning, NSX/OVN style):
#   table 0: a VM port stamps its segment's VNI into tun_id; a Geneve port marks reg1=1 (came from the overlay)
#   table 1: known MAC -> its local port or the Geneve port of its TEP; BUM/unknown from a VM -> local ports of the
#            segment + head-end replication to every other TEP of the segment; BUM from a tunnel -> local ports only
#            (split horizon, so three TEPs in a full mesh do not loop).
install_flows() {
    local k=$1 v vni file local_ports remote_tunnels h
    file=$(host_dir "$k")/br-int.flows
    {
        for v in "${VMS[@]}"; do
            [ "$(vm_host "$v")" = "$k" ] || continue
            echo "table=0,priority=100,in_port=$(vm_ofport "$v"),actions=set_field:$(vm_vni "$v")->tun_id,resubmit(,1)"
        done
        for h in $(seq 1 "$TEPS"); do
            [ "$h" = "$k" ] && continue
            echo "table=0,priority=100,in_port=$(tunnel_ofport "$h"),actions=load:1->NXM_NX_REG1[],resubmit(,1)"
        done
        echo "table=0,priority=0,actions=drop"
        for vni in $(vnis); do
            local_ports=""
            remote_tunnels=""
            for v in "${VMS[@]}"; do
                [ "$(vm_vni "$v")" = "$vni" ] || continue
                h=$(vm_host "$v")
                if [ "$h" = "$k" ]; then
                    local_ports+="output:$(vm_ofport "$v"),"
                elif [[ ",$remote_tunnels" != *",output:$(tunnel_ofport "$h"),"* ]]; then
                    remote_tunnels+="output:$(tunnel_ofport "$h"),"
                fi
            done
            [ -n "$local_ports" ] || continue # this TEP does not take part in the segment
            for v in "${VMS[@]}"; do
                [ "$(vm_vni "$v")" = "$vni" ] || continue
                h=$(vm_host "$v")
                if [ "$h" = "$k" ]; then
                    echo "table=1,priority=100,tun_id=$vni,dl_dst=$(vm_mac "$v"),actions=output:$(vm_ofport "$v")"
                else
                    echo "table=1,priority=100,reg1=0,tun_id=$vni,dl_dst=$(vm_mac "$v"),actions=output:$(tunnel_ofport "$h")"
                fi
            done
            local flood_local=${local_ports%,}
            local flood_all=${local_ports}${remote_tunnels}
            echo "table=1,priority=10,reg1=0,tun_id=$vni,actions=${flood_all%,}"
            echo "table=1,priority=10,reg1=1,tun_id=$vni,actions=$flood_local"
        done
        echo "table=1,priority=0,actions=drop"
    } >"$file"
    run ofctl "$k" replace-flows "$(br_int_mgmt "$k")" "$file"
}

# Turn TX checksum offload off (SIOCETHTOOL/ETHTOOL_STXCSUM; ethtool itself is not installed everywhere) and read
# it back. argv: interface. Why: a veth hands OVS's AF_PACKET socket TCP/UDP segments whose checksum is only the
# pseudo-header sum (CHECKSUM_PARTIAL); the userspace datapath forwards those bytes as they are into the tunnel and
# the receiving side drops them. ICMP works either way, TCP does not.
readonly TX_CSUM_OFF_PY='
import ctypes, fcntl, socket, struct, sys
SIOCETHTOOL, ETHTOOL_GTXCSUM, ETHTOOL_STXCSUM = 0x8946, 0x16, 0x17
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
def ethtool(cmd, data):
    buf = ctypes.create_string_buffer(struct.pack("II", cmd, data), 8)
    ifr = struct.pack("16sP", sys.argv[1].encode(), ctypes.addressof(buf)).ljust(40, b"\0")
    fcntl.ioctl(s, SIOCETHTOOL, ifr)
    return struct.unpack("II", buf.raw)[1]
ethtool(ETHTOOL_STXCSUM, 0)
if ethtool(ETHTOOL_GTXCSUM, 0): sys.exit("tx checksum offload is still on for " + sys.argv[1])
'

configure_vm() {
    local v=$1 ns
    ns=$(vm_ns "$v")
    run ip -n "$ns" addr add "$(vm_ip "$v")/24" dev eth0
    run ip netns exec "$ns" "$PYTHON" -c "$TX_CSUM_OFF_PY" eth0
    run ip -n "$ns" link set eth0 up
}

check_interfaces() { # OVS reports port creation problems in Interface.error, not as a command failure
    local k errors
    for k in $(seq 1 "$TEPS"); do
        errors=$(vsctl "$k" --bare --columns=name,error find Interface 'error!=[]' 2>&1 || true)
        if [ -n "$errors" ]; then
            say "host$k: OVS interface errors: $(tr '\n' ' ' <<<"$errors")"
            return 1
        fi
    done
}

summarize_failure() {
    local k d log_tail=""
    [ -f "$LOG" ] && log_tail=$(tail -n 15 "$LOG")
    say "---- failure summary (workdir $WORKDIR) ----"
    for k in $(seq 1 "$TEPS"); do
        d=$(host_dir "$k")
        if [ -f "$d/ovs-vswitchd.log" ]; then
            say "tail of host$k ovs-vswitchd.log:"
            tail -n 15 "$d/ovs-vswitchd.log" | sed 's/^/    /' >&2
        fi
    done
    if [ -n "$log_tail" ]; then
        say "tail of $LOG:"
        printf '%s\n' "$log_tail" | sed 's/^/    /' >&2
    fi
}

UP_DONE=0
on_up_exit() {
    local rc=$?
    [ "$UP_DONE" = 1 ] && return 0
    trap - EXIT
    summarize_failure
    say "up failed; tearing the lab down"
    if [ -n "${OT_LAB_KEEP_ON_FAILURE:-}" ]; then
        say "OT_LAB_KEEP_ON_FAILURE is set: leaving the lab up for inspection ('$SCRIPT_NAME down' removes it)"
    else
        teardown keep-logs
    fi
    [ "$rc" -eq 77 ] && exit 77
    exit 4
}

cmd_up() {
    while [ $# -gt 0 ]; do
        case $1 in
        --teps) TEPS=${2:-}; shift ;;
        --teps=*) TEPS=${1#*=} ;;
        --segments) SEGMENTS=${2:-}; shift ;;
        --segments=*) SEGMENTS=${1#*=} ;;
        *) fail 2 "up: unknown option '$1'" ;;
        esac
        shift
    done
    case $TEPS in 2 | 3) ;; *) fail 2 "up: --teps must be 2 or 3 (got '$TEPS')" ;; esac
    case $SEGMENTS in 1 | 2) ;; *) fail 2 "up: --segments must be 1 or 2 (got '$SEGMENTS')" ;; esac
    local reasons
    reasons=$(can_run_reasons)
    [ -z "$reasons" ] || fail 77 "cannot run the lab here: $(echo "$reasons" | paste -sd ';' -)"
    find_schema
    find_python
    local started=$SECONDS
    teardown # a previous lab in this workdir, and stale ot-* namespaces of a crashed run
    prepare_workdir
    trap on_up_exit EXIT
    compute_vms
    write_state
    say "up: $TEPS TEPs, segments: $(vnis), VMs: ${VMS[*]}, workdir $WORKDIR"
    local k v
    for k in $(seq 1 "$TEPS"); do make_namespace "$(host_ns "$k")"; done
    for v in "${VMS[@]}"; do make_namespace "$(vm_ns "$v")"; done
    build_underlay
    for k in $(seq 1 "$TEPS"); do
        start_ovs "$k"
        say "host$k: ovsdb-server PID $(cat "$(host_dir "$k")/ovsdb-server.pid"), ovs-vswitchd PID $(cat "$(host_dir "$k")/ovs-vswitchd.pid")"
    done
    for k in $(seq 1 "$TEPS"); do configure_host "$k"; done
    for v in "${VMS[@]}"; do configure_vm "$v"; done
    check_interfaces
    smoke_test
    write_state
    echo "SPAN_OK=${SPAN_OK:-0}" >>"$(state_file)"
    UP_DONE=1
    trap - EXIT
    say "up: ready in $((SECONDS - started)) s; capture on $(underlay_if 1) in namespace $UNDERLAY_NS" \
        "(host1's underlay link)$([ "${SPAN_OK:-0}" = 1 ] && echo ", or $SPAN_IF there for every TEP pair")"
}

smoke_test() { # one ping per tunnel so `up` fails here, with diagnostics, rather than in the first test
    local v
    for v in "${VMS[@]}"; do
        [ "$(vm_host "$v")" = 1 ] && continue
        local src=1
        [ "$(vm_vni "$v")" = "$VNI_B" ] && src=4
        local ok=0
        for _ in 1 2 3; do
            if ping_ok "$src" "$(vm_ip "$v")" 1 >/dev/null; then ok=1; break; fi
        done
        if [ "$ok" != 1 ]; then
            say "smoke test: $(vm_ns "$src") cannot reach $(vm_ip "$v") over Geneve"
            diag_all
            return 1
        fi
    done
}

# ---------------------------------------------------------------------------------------------------------------
# traffic

# ICMP echo from python3 (always present with OVS; iputils-ping is not on minimal images). Prints a ping-like
# summary; exit 0 only when every request got its reply. argv: dst count size df(0|1) reply_timeout
readonly PING_PY='
import os, select, socket, struct, sys, time
dst, count, size, df, wait = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "1", float(sys.argv[5])
def csum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b)); s = (s >> 16) + (s & 0xffff); s += s >> 16
    return ~s & 0xffff
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
if df: s.setsockopt(socket.IPPROTO_IP, 10, 2)  # IP_MTU_DISCOVER = IP_PMTUDISC_DO: DF set, never fragment
ident = os.getpid() & 0xffff
sent, rtts, pending = 0, [], {}
payload = bytes((i & 0xff for i in range(size)))
def receive(until):
    while True:
        left = until - time.time()
        if left <= 0 or not pending: return
        if not select.select([s], [], [], left)[0]: return
        pkt = s.recv(65535); hl = (pkt[0] & 0x0f) * 4
        t, _, _, i, q = struct.unpack("!BBHHH", pkt[hl:hl + 8])
        if t == 0 and i == ident and q in pending: rtts.append((time.time() - pending.pop(q)) * 1000)
for seq in range(1, count + 1):
    hdr = struct.pack("!BBHHH", 8, 0, 0, ident, seq)
    pkt = struct.pack("!BBHHH", 8, 0, csum(hdr + payload), ident, seq) + payload
    pending[seq] = time.time()
    try: s.sendto(pkt, (dst, 0)); sent += 1
    except OSError as e: print("send to %s failed: %s" % (dst, e)); pending.pop(seq)
    receive(time.time() + (0.2 if seq < count else wait))
received = len(rtts)
line = "%d packets transmitted, %d received, %d%% loss, %d data bytes" % (
    sent, received, 100 * (count - received) // count, size)
if rtts: line += ", rtt min/avg/max = %.3f/%.3f/%.3f ms" % (min(rtts), sum(rtts) / received, max(rtts))
print(line)
sys.exit(0 if received == count else 1)
'

# ping_ok SRC_VM DST_IP COUNT [SIZE [DF]]: prints the summary; fails unless every reply came back.
ping_ok() {
    local src=$1 dst=$2 count=$3 size=${4:-56} df=${5:-0} out rc=0
    out=$(ip netns exec "$(vm_ns "$src")" timeout 30 "$PYTHON" -c "$PING_PY" "$dst" "$count" "$size" "$df" 2 2>&1) || rc=$?
    printf 'ping %s -> %s: %s\n' "$(vm_ns "$src")" "$dst" "$out" >>"$LOG"
    printf '%s\n' "$out" | tail -n 1
    return "$rc"
}

readonly TCP_SERVER_PY='
import hashlib, socket, sys
host, port = sys.argv[1], int(sys.argv[2])
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind((host, port)); srv.listen(1); srv.settimeout(15)
conn, peer = srv.accept(); conn.settimeout(10)
data = b""
while True:
    chunk = conn.recv(65536)
    if not chunk: break
    data += chunk
conn.sendall(("%d %s\n" % (len(data), hashlib.sha256(data).hexdigest())).encode() + b"p" * 3000)
conn.close()
'
readonly TCP_CLIENT_PY='
import hashlib, socket, sys, time
host, port = sys.argv[1], int(sys.argv[2])
payload = bytes(range(256)) * 16  # 4096 bytes: several segments each way
deadline = time.time() + 5
while True:
    try:
        s = socket.create_connection((host, port), timeout=5); break
    except ConnectionRefusedError:
        if time.time() > deadline: raise
        time.sleep(0.1)
s.sendall(payload); s.shutdown(socket.SHUT_WR)
reply = b""
while True:
    chunk = s.recv(65536)
    if not chunk: break
    reply += chunk
line, _, rest = reply.partition(b"\n")
expected = "%d %s" % (len(payload), hashlib.sha256(payload).hexdigest())
if line.decode() != expected or len(rest) != 3000:
    sys.exit("TCP exchange corrupted: server saw %r, expected %r; %d of 3000 reply bytes" % (line, expected, len(rest)))
print("TCP %s:%d ok: sent %d bytes (sha256 verified by the server), received %d" % (host, port, len(payload), len(reply)))
'

# tcp_exchange SRC_VM DST_VM: a short TCP conversation across the overlay, checked end to end.
tcp_exchange() {
    local src=$1 dst=$2 server_pid rc=0 out
    [ -n "$PYTHON" ] || { say "python3 missing: cannot run the TCP exchange"; return 1; }
    ip netns exec "$(vm_ns "$dst")" timeout 20 "$PYTHON" -c "$TCP_SERVER_PY" "$(vm_ip "$dst")" "$TCP_PORT" \
        >>"$LOG" 2>&1 &
    server_pid=$!
    echo "$server_pid" >"$WORKDIR/tcp-server.pid"
    out=$(ip netns exec "$(vm_ns "$src")" timeout 20 "$PYTHON" -c "$TCP_CLIENT_PY" "$(vm_ip "$dst")" "$TCP_PORT" 2>&1) || rc=$?
    printf '%s\n' "$out" >>"$LOG"
    wait "$server_pid" 2>/dev/null || true
    rm -f "$WORKDIR/tcp-server.pid"
    printf '%s\n' "$out" | tail -n 1
    return "$rc"
}

run_traffic() {
    local failures=0 v line pairs=()
    for v in "${VMS[@]}"; do # flush neighbour caches so every run shows ARP (BUM, head-end replicated)
        ip -n "$(vm_ns "$v")" neigh flush dev eth0 >>"$LOG" 2>&1 || true
    done
    pairs=("1 2")
    [ "$TEPS" -ge 3 ] && pairs+=("1 3")
    [ "$SEGMENTS" -ge 2 ] && pairs+=("4 5")
    local pair src dst
    for pair in "${pairs[@]}"; do
        read -r src dst <<<"$pair"
        if line=$(ping_ok "$src" "$(vm_ip "$dst")" 5); then
            say "ping $(vm_ns "$src") -> $(vm_ns "$dst") $(vm_ip "$dst") (VNI $(vm_vni "$dst")): $line"
        else
            say "FAIL: ping $(vm_ns "$src") -> $(vm_ip "$dst") (VNI $(vm_vni "$dst")) lost replies: $line"
            failures=$((failures + 1))
        fi
    done
    # A full-size inner frame (1500-byte IP packet, DF) must cross the 1600-byte underlay: 1550-byte outer packets.
    if line=$(ping_ok 1 "$(vm_ip 2)" 2 1472 1); then
        say "ping 1500-byte DF $(vm_ns 1) -> $(vm_ip 2): $line"
    else
        say "FAIL: 1500-byte DF ping $(vm_ns 1) -> $(vm_ip 2) (underlay MTU $UNDERLAY_MTU): $line"
        failures=$((failures + 1))
    fi
    local tcp_pairs=("1 2")
    [ "$TEPS" -ge 3 ] && tcp_pairs+=("1 3")
    for pair in "${tcp_pairs[@]}"; do
        read -r src dst <<<"$pair"
        if line=$(tcp_exchange "$src" "$dst"); then
            say "$(vm_ns "$src") -> $(vm_ns "$dst"): $line"
        else
            say "FAIL: TCP $(vm_ns "$src") -> $(vm_ip "$dst"):$TCP_PORT: $line"
            failures=$((failures + 1))
        fi
    done
    if [ "$SEGMENTS" -ge 2 ]; then # segments are isolated: VNI 5001's vm1 must not reach VNI 5002's vm5
        if ping_ok 1 "$(vm_ip 5)" 1 >/dev/null; then
            say "FAIL: $(vm_ns 1) (VNI $VNI_A) reached $(vm_ip 5) (VNI $VNI_B): segments are not isolated"
            failures=$((failures + 1))
        else
            say "isolation: $(vm_ns 1) (VNI $VNI_A) cannot reach $(vm_ip 5) (VNI $VNI_B), as intended"
        fi
    fi
    if [ "$failures" -gt 0 ]; then
        diag_all
        say "traffic: $failures check(s) failed"
        return 1
    fi
    say "traffic: all checks passed"
}

cmd_traffic() {
    [ $# -eq 0 ] || fail 2 "traffic takes no options"
    load_state
    run_traffic || exit 1
}

# ---------------------------------------------------------------------------------------------------------------
# capture-check

# start_tcpdump NS IF FILE PIDNAME [filter...]: background tcpdump, waits until it is capturing; pid in the workdir.
start_tcpdump() {
    local ns=$1 ifname=$2 file=$3 name=$4
    shift 4
    local errfile=$WORKDIR/$name.stderr i pid
    # --immediate-mode: without it libpcap's TPACKET_V3 ring hands packets over a block at a time, and the packets
    # of a block not yet retired when tcpdump gets SIGINT are lost (seen here: 36 matched the filter, 0 written).
    ip netns exec "$ns" tcpdump -i "$ifname" --immediate-mode -n -U -s 0 -w "$file" "$@" 2>"$errfile" &
    pid=$!
    echo "$pid" >"$WORKDIR/$name.pid"
    for i in $(seq 1 50); do
        grep -q 'listening on' "$errfile" 2>/dev/null && return 0
        pid_alive "$pid" || break
        sleep 0.1
    done
    say "tcpdump on $ns/$ifname did not start:"
    sed 's/^/    /' "$errfile" >&2
    return 1
}

# stop_tcpdump PIDNAME: SIGINT (tcpdump flushes and prints its statistics), then report them.
stop_tcpdump() {
    local name=$1 pid i
    pid=$(tr -dc '0-9' <"$WORKDIR/$name.pid")
    kill -INT "$pid" 2>/dev/null || true
    for i in $(seq 1 50); do pid_alive "$pid" || break; sleep 0.1; done
    pid_alive "$pid" && stop_pid "$pid" 2
    wait "$pid" 2>/dev/null || true
    rm -f "$WORKDIR/$name.pid"
    grep -E 'captured|received by filter|dropped by kernel|dropped by interface' "$WORKDIR/$name.stderr" | paste -sd ',' - |
        sed 's/,/, /g'
}

# report_capture_loss STATS: drops are reported, never hidden (the checks below may still pass without them).
report_capture_loss() {
    local captured received dropped
    captured=$(sed -n 's/.*\b\([0-9][0-9]*\) packets\{0,1\} captured.*/\1/p' <<<"$1")
    received=$(sed -n 's/.*\b\([0-9][0-9]*\) packets\{0,1\} received by filter.*/\1/p' <<<"$1")
    dropped=$(sed -n 's/.*\b\([0-9][0-9]*\) packets\{0,1\} dropped by kernel.*/\1/p' <<<"$1")
    if [ "${dropped:-0}" -gt 0 ] || [ "${captured:-0}" -lt "${received:-0}" ]; then
        warn "capture lost packets: ${captured:-?} captured of ${received:-?} that matched the filter, ${dropped:-?} dropped by the kernel"
    fi
}

# geneve_rows PCAP: one tab-separated line per Geneve packet:
#   frame.len outer_src outer_dst vni inner_src inner_dst inner_proto icmp_type tcp_ports tcp_flags is_arp outer_udp_sport
geneve_rows() {
    tshark -r "$1" -n -Y geneve -T fields -E separator=/t -E occurrence=a -E aggregator=, \
        -e frame.len -e ip.src -e ip.dst -e geneve.vni -e ip.proto -e icmp.type -e tcp.srcport -e tcp.dstport \
        -e tcp.flags -e arp.opcode -e udp.srcport -e udp.dstport 2>/dev/null |
        awk -F'\t' 'BEGIN { OFS = "\t" }
        {
            n = split($2, src, ","); split($3, dst, ","); split($5, proto, ",")
            split($11, sport, ","); split($12, dport, ",")
            vni = $4; if (vni ~ /^0x/) vni = hex(vni)
            isrc = (n > 1) ? src[2] : "-"; idst = (n > 1) ? dst[2] : "-"
            ip = (n > 1) ? proto[2] : "-"
            inner = (ip == 1) ? "icmp" : (ip == 6) ? "tcp" : (ip == 17) ? "udp" : ($10 != "") ? "arp" : "other"
            print $1, src[1], dst[1], vni, isrc, idst, inner, ($6 == "" ? "-" : $6), \
                  ($7 == "" ? "-" : $7 ">" $8), ($9 == "" ? "-" : $9), sport[1], dport[1]
        }
        function hex(s,   i, c, v) { v = 0; s = tolower(substr(s, 3))
            for (i = 1; i <= length(s); i++) { c = index("0123456789abcdef", substr(s, i, 1)) - 1; v = v * 16 + c }
            return v }'
}

# summarize_capture ROWS_FILE: per outer TEP pair and VNI, packets, inner protocols and outer frame sizes.
summarize_capture() {
    awk -F'\t' '
        { key = $2 " -> " $3 "  VNI " $4; n[key]++
          if (!(key in mn) || $1 < mn[key]) mn[key] = $1; if ($1 > mx[key]) mx[key] = $1
          p[key, $7]++; protos[$7] = 1
          if ($5 != "-") flows[key] = flows[key] (index(flows[key], $5 ">" $6 "/" $7) ? "" : " " $5 ">" $6 "/" $7) }
        END { for (k in n) {
                  line = sprintf("  %-38s %4d pkts  outer frame %4d..%4d B ", k, n[k], mn[k], mx[k])
                  for (q in protos) if ((k, q) in p) line = line sprintf(" %s:%d", q, p[k, q])
                  print line "\t      inner flows:" flows[k] } }' "$1" | sort | tr '\t' '\n'
}

cmd_capture_check() {
    local copy_to="" use_span=0
    while [ $# -gt 0 ]; do
        case $1 in
        --pcap) copy_to=${2:-}; shift ;;
        --pcap=*) copy_to=${1#*=} ;;
        --span) use_span=1 ;;
        *) fail 2 "capture-check: unknown option '$1'" ;;
        esac
        shift
    done
    load_state
    command -v tcpdump >/dev/null || fail 77 "capture-check needs tcpdump (apt-get install -y tcpdump)"
    command -v tshark >/dev/null || fail 77 "capture-check needs tshark (apt-get install -y tshark)"
    local ifname pcap rows stats
    ifname=$(underlay_if 1)
    if [ "$use_span" = 1 ]; then
        [ "${SPAN_OK:-0}" = 1 ] || fail 77 "capture-check --span: this kernel could not mirror to $SPAN_IF (tc u32/mirred)"
        ifname=$SPAN_IF
    fi
    pcap=$WORKDIR/capture-check.pcap
    rows=$WORKDIR/capture-check.rows
    say "capture-check: tcpdump -i $ifname (namespace $UNDERLAY_NS) udp port $GENEVE_PORT while traffic runs"
    start_tcpdump "$UNDERLAY_NS" "$ifname" "$pcap" capture-tcpdump udp port "$GENEVE_PORT" || exit 1
    local traffic_rc=0
    run_traffic || traffic_rc=$?
    sleep 0.3
    stats=$(stop_tcpdump capture-tcpdump)
    say "tcpdump: $stats"
    report_capture_loss "$stats"
    [ -z "$copy_to" ] || { cp "$pcap" "$copy_to"; say "capture copied to $copy_to"; }
    [ "$traffic_rc" -eq 0 ] || fail 1 "capture-check: traffic failed (see above)"
    geneve_rows "$pcap" >"$rows"
    say "tshark summary of $pcap ($(wc -l <"$rows") Geneve packets):"
    summarize_capture "$rows" >&2

    local failures=0
    # expect LABEL AWK-CONDITION: at least one Geneve row matches.
    expect() {
        local count
        count=$(awk -F'\t' "$2 { c++ } END { print c + 0 }" "$rows")
        if [ "$count" -gt 0 ]; then
            say "  ok   $1 ($count packets)"
        else
            say "  FAIL $1: not in the capture"
            failures=$((failures + 1))
        fi
    }
    local t1 t2 t3 vm1 vm2 vm3
    t1=$(tep_ip 1); t2=$(tep_ip 2); t3=$(tep_ip 3)
    vm1=$(vm_ip 1); vm2=$(vm_ip 2); vm3=$(vm_ip 3)
    say "checks:"
    expect "Geneve $t1 -> $t2 VNI $VNI_A, UDP dst $GENEVE_PORT" "\$2==\"$t1\" && \$3==\"$t2\" && \$4==$VNI_A && \$12==$GENEVE_PORT"
    expect "Geneve $t2 -> $t1 VNI $VNI_A" "\$2==\"$t2\" && \$3==\"$t1\" && \$4==$VNI_A"
    expect "inner ICMP echo request $vm1 -> $vm2 in VNI $VNI_A" "\$4==$VNI_A && \$5==\"$vm1\" && \$6==\"$vm2\" && \$8==8"
    expect "inner ICMP echo reply $vm2 -> $vm1 in VNI $VNI_A" "\$4==$VNI_A && \$5==\"$vm2\" && \$6==\"$vm1\" && \$8==0"
    expect "inner TCP SYN $vm1 -> $vm2:$TCP_PORT" "\$5==\"$vm1\" && \$6==\"$vm2\" && \$9 ~ />$TCP_PORT\$/ && \$10==\"0x0002\""
    expect "inner TCP SYN-ACK $vm2:$TCP_PORT -> $vm1" "\$5==\"$vm2\" && \$6==\"$vm1\" && \$9 ~ /^$TCP_PORT>/ && \$10==\"0x0012\""
    expect "inner ARP in VNI $VNI_A (BUM, head-end replicated)" "\$4==$VNI_A && \$7==\"arp\""
    expect "1550-byte outer IPv4 packet (full-size inner frame)" "\$1==1564 && \$2==\"$t1\""
    if [ "$TEPS" -ge 3 ]; then
        expect "Geneve $t1 -> $t3 VNI $VNI_A" "\$2==\"$t1\" && \$3==\"$t3\" && \$4==$VNI_A"
        expect "Geneve $t3 -> $t1 VNI $VNI_A" "\$2==\"$t3\" && \$3==\"$t1\" && \$4==$VNI_A"
        expect "inner ICMP $vm1 <-> $vm3 in VNI $VNI_A" "\$4==$VNI_A && \$5==\"$vm3\" && \$6==\"$vm1\" && \$8==0"
        expect "inner TCP $vm1 -> $vm3:$TCP_PORT" "\$5==\"$vm1\" && \$6==\"$vm3\" && \$9 ~ />$TCP_PORT\$/"
    fi
    if [ "$SEGMENTS" -ge 2 ]; then
        expect "Geneve $t1 <-> $t2 VNI $VNI_B with inner $(vm_ip 4) <-> $(vm_ip 5)" \
            "\$4==$VNI_B && ((\$5==\"$(vm_ip 4)\" && \$6==\"$(vm_ip 5)\") || (\$5==\"$(vm_ip 5)\" && \$6==\"$(vm_ip 4)\"))"
        local leak
        leak=$(awk -F'\t' "\$4==$VNI_B && (\$2==\"$t3\" || \$3==\"$t3\") { c++ } END { print c + 0 }" "$rows")
        if [ "$leak" -eq 0 ]; then say "  ok   no VNI $VNI_B traffic to/from $t3 (host3 has no VM in it)"; else
            say "  FAIL VNI $VNI_B traffic reached $t3 ($leak packets)"; failures=$((failures + 1)); fi
    fi
    if [ "$failures" -gt 0 ]; then
        fail 1 "capture-check: $failures check(s) failed; capture kept in $pcap until 'down'"
    fi
    say "capture-check: passed"
}

# ---------------------------------------------------------------------------------------------------------------
# replay: a veth pair in its own namespace; tcpreplay on one end, capture on the other.

readonly VETH_MAX_MTU=65535

replay_up() { # replay_up [MTU]: no addresses on the pair, so the namespace never answers what it receives
    local mtu=${1:-9000}
    delete_namespace "$REPLAY_NS"
    ip netns add "$REPLAY_NS"
    disable_ipv6 "$REPLAY_NS"
    ip -n "$REPLAY_NS" link add "$REPLAY_TX" mtu "$mtu" type veth peer name "$REPLAY_RX" mtu "$mtu"
    ip -n "$REPLAY_NS" link set "$REPLAY_RX" up
    ip -n "$REPLAY_NS" link set "$REPLAY_TX" up
    ip -n "$REPLAY_NS" link set lo up
}

replay_send() {
    local file=$1
    timeout 120 ip netns exec "$REPLAY_NS" tcpreplay -q -i "$REPLAY_TX" --pps="${OT_REPLAY_PPS:-2000}" "$file"
}

pcap_packet_count() { tcpdump -r "$1" -n 2>/dev/null | wc -l; }

# replay_mtu FILE: an MTU that lets every frame of FILE through a veth (at least 9000); fails when none can.
replay_mtu() {
    local largest=0 mtu
    if command -v tshark >/dev/null 2>&1; then
        largest=$(tshark -r "$1" -T fields -e frame.cap_len 2>/dev/null | sort -n | tail -n 1)
    fi
    mtu=$(( ${largest:-0} - 14 > 9000 ? ${largest:-0} - 14 : 9000 ))
    if [ "$mtu" -gt "$VETH_MAX_MTU" ]; then
        say "$1 holds a ${largest}-byte frame: larger than any veth can carry (MTU $VETH_MAX_MTU); it cannot be replayed"
        return 1
    fi
    echo "$mtu"
}

check_replayable() {
    local file=$1 header
    [ -r "$file" ] || fail 2 "cannot read '$file'"
    header=$(tcpdump -r "$file" -c 1 -n 2>&1 >/dev/null | head -n 1)
    case $header in
    *EN10MB*) ;;
    *) fail 2 "$file: $header — tcpreplay onto a veth needs Ethernet (EN10MB) frames" ;;
    esac
}

cmd_replay_check() {
    [ $# -eq 1 ] || fail 2 "usage: $SCRIPT_NAME replay-check FILE.pcap"
    local file=$1
    [ "$(id -u)" -eq 0 ] || fail 77 "replay-check needs root"
    command -v tcpreplay >/dev/null || fail 77 "replay-check needs tcpreplay (apt-get install -y tcpreplay)"
    command -v tcpdump >/dev/null || fail 77 "replay-check needs tcpdump"
    check_replayable "$file"
    local tmp expected got stats rc=0
    tmp=$(mktemp -d /tmp/ot-replay.XXXXXX)
    # shellcheck disable=SC2064
    trap "delete_namespace $REPLAY_NS; rm -rf '$tmp'" EXIT
    WORKDIR=$tmp
    : >"$tmp/$MARKER"
    expected=$(pcap_packet_count "$file")
    local mtu
    mtu=$(replay_mtu "$file") || exit 1
    replay_up "$mtu"
    start_tcpdump "$REPLAY_NS" "$REPLAY_RX" "$tmp/replayed.pcap" replay-tcpdump -Q in || exit 1
    say "replay-check: tcpreplay $file ($expected packets) -> $REPLAY_TX, capturing on $REPLAY_RX (namespace $REPLAY_NS)"
    replay_send "$file" 2>&1 | sed 's/^/    /' >&2 || rc=$?
    local i
    for i in $(seq 1 30); do # the last frames may still be in flight to tcpdump's buffer
        [ "$(pcap_packet_count "$tmp/replayed.pcap")" -ge "$expected" ] && break
        sleep 0.1
    done
    stats=$(stop_tcpdump replay-tcpdump)
    got=$(pcap_packet_count "$tmp/replayed.pcap")
    say "tcpdump: $stats"
    report_capture_loss "$stats"
    [ "$rc" -eq 0 ] || fail 1 "tcpreplay failed"
    if [ "$got" -ne "$expected" ]; then
        fail 1 "replay-check: injected $expected packets, captured $got"
    fi
    # Same bytes in the same order: tcpdump's hex dump without timestamps must be identical.
    if ! cmp -s <(tcpdump -r "$file" -n -t -xx 2>/dev/null) <(tcpdump -r "$tmp/replayed.pcap" -n -t -xx 2>/dev/null); then
        fail 1 "replay-check: $got packets captured but their bytes differ from $file"
    fi
    say "replay-check: passed ($expected packets injected, $got captured, byte-identical)"
}

cmd_replay_up() {
    local mtu=9000
    while [ $# -gt 0 ]; do
        case $1 in
        --mtu) mtu=${2:-}; shift ;;
        --mtu=*) mtu=${1#*=} ;;
        *) fail 2 "replay-up: unknown option '$1'" ;;
        esac
        shift
    done
    if ! [[ $mtu =~ ^[0-9]+$ ]] || [ "$mtu" -lt 68 ] || [ "$mtu" -gt "$VETH_MAX_MTU" ]; then
        fail 2 "replay-up: --mtu must be 68..$VETH_MAX_MTU"
    fi
    [ "$(id -u)" -eq 0 ] || fail 77 "replay-up needs root"
    replay_up "$mtu"
    say "replay-up: send on $REPLAY_TX, capture on $REPLAY_RX, namespace $REPLAY_NS"
}
cmd_replay_send() {
    [ $# -eq 1 ] || fail 2 "usage: $SCRIPT_NAME replay-send FILE.pcap"
    check_replayable "$1"
    ip netns list | awk '{print $1}' | grep -qx "$REPLAY_NS" || fail 3 "no $REPLAY_NS namespace; run replay-up first"
    replay_send "$1" || fail 1 "tcpreplay failed"
}
cmd_replay_down() {
    delete_namespace "$REPLAY_NS"
    say "replay-down: $REPLAY_NS removed"
}

# ---------------------------------------------------------------------------------------------------------------
# env, diag

cmd_env() {
    load_state
    local k v vni hosts="" teps="" vmns="" vmips="" vm_members
    # KEY='value', one per line: sourceable by sh, and trivial to parse (values never hold a single quote).
    emit() { printf "%s='%s'\n" "$1" "${2//\'/}" >&3; }
    for k in $(seq 1 "$TEPS"); do hosts+="$(host_ns "$k") "; teps+="$(tep_ip "$k") "; done
    for v in "${VMS[@]}"; do vmns+="$(vm_ns "$v") "; vmips+="$(vm_ip "$v") "; done
    emit OT_LAB_WORKDIR "$WORKDIR"
    emit OT_TEPS "$TEPS"
    emit OT_UNDERLAY_NS "$UNDERLAY_NS"
    emit OT_CAPTURE_NS "$UNDERLAY_NS"
    emit OT_CAPTURE_IF "$(underlay_if 1)"
    emit OT_CAPTURE_EXEC "ip netns exec $UNDERLAY_NS"
    emit OT_SPAN_IF "$([ "${SPAN_OK:-0}" = 1 ] && echo "$SPAN_IF")"
    emit OT_UNDERLAY_MTU "$UNDERLAY_MTU"
    emit OT_GENEVE_PORT "$GENEVE_PORT"
    emit OT_HOST_NAMESPACES "${hosts% }"
    emit OT_TEP_IPS "${teps% }"
    emit OT_VNIS "$(vnis)"
    emit OT_VM_NAMESPACES "${vmns% }"
    emit OT_VM_IPS "${vmips% }"
    emit OT_TCP_PORT "$TCP_PORT"
    for k in $(seq 1 "$TEPS"); do
        emit "OT_HOST${k}_NS" "$(host_ns "$k")"
        emit "OT_TEP${k}_IP" "$(tep_ip "$k")"
        emit "OT_TEP${k}_MAC" "$(tep_mac "$k")"
        emit "OT_HOST${k}_UNDERLAY_IF" "$(underlay_if "$k")"
        emit "OT_HOST${k}_OVS_VSWITCHD_PID" "$(cat "$(host_dir "$k")/ovs-vswitchd.pid" 2>/dev/null)"
    done
    for v in "${VMS[@]}"; do
        emit "OT_VM${v}_NS" "$(vm_ns "$v")"
        emit "OT_VM${v}_IP" "$(vm_ip "$v")"
        emit "OT_VM${v}_MAC" "$(vm_mac "$v")"
        emit "OT_VM${v}_VNI" "$(vm_vni "$v")"
        emit "OT_VM${v}_TEP" "$(tep_ip "$(vm_host "$v")")"
    done
    for vni in $(vnis); do
        vm_members=""
        for v in "${VMS[@]}"; do [ "$(vm_vni "$v")" = "$vni" ] && vm_members+="$(vm_ns "$v") "; done
        emit "OT_VNI_${vni}_VMS" "${vm_members% }"
    done
    emit OT_REPLAY_NS "$REPLAY_NS"
    emit OT_REPLAY_TX_IF "$REPLAY_TX"
    emit OT_REPLAY_RX_IF "$REPLAY_RX"
}

diag_all() {
    local k
    for k in $(seq 1 "$TEPS"); do
        [ -d "$(host_dir "$k")" ] || continue
        say "==== host$k ($(host_ns "$k"), TEP $(tep_ip "$k")) ===="
        {
            set +e # diagnostics: show what can be shown, whatever fails
            local daemon pid
            for daemon in ovsdb-server ovs-vswitchd; do
                if pid=$(pidfile_pid "$(host_dir "$k")/$daemon.pid"); then echo "--- $daemon: running, PID $pid"
                else echo "--- $daemon: NOT RUNNING (pidfile $(host_dir "$k")/$daemon.pid)"; fi
            done
            echo "--- ovs-vswitchd.log warnings/errors (last 5)"
            grep -E '\|(WARN|ERR|EMER)\|' "$(host_dir "$k")/ovs-vswitchd.log" 2>/dev/null | tail -n 5
            echo "--- ovs-vsctl show"; vsctl "$k" --timeout=3 show
            echo "--- br-int flows"; ofctl "$k" dump-flows "$(br_int_mgmt "$k")" --no-names
            echo "--- ovs/route/show"; appctl "$k" ovs/route/show
            echo "--- tnl/neigh/show"; appctl "$k" tnl/neigh/show
            echo "--- tnl/ports/show"; appctl "$k" tnl/ports/show
            echo "--- dpif/dump-flows br-int"; appctl "$k" dpif/dump-flows br-int
        } 2>&1 | sed 's/^/    /' >&2 || true
    done
}

cmd_diag() {
    load_state
    diag_all
}

# ---------------------------------------------------------------------------------------------------------------

usage() { sed -n '/^# Usage:/,/^set -Eeuo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; }

main() {
    while [ $# -gt 0 ]; do
        case $1 in
        --workdir) WORKDIR=${2:-}; [ -n "$WORKDIR" ] || fail 2 "--workdir needs a directory"; shift ;;
        --workdir=*) WORKDIR=${1#*=} ;;
        -h | --help | help) usage; exit 0 ;;
        -*) fail 2 "unknown option '$1'" ;;
        *) break ;;
        esac
        shift
    done
    [ $# -gt 0 ] || { usage; exit 2; }
    local cmd=$1
    shift
    # Only `env` writes to stdout. Every other command closes the saved stdout so that detached daemons
    # (ovsdb-server, ovs-vswitchd) cannot inherit it and keep a caller's pipe open forever.
    [ "$cmd" = env ] || exec 3>&-
    # Subcommand options may also carry --workdir.
    local rest=()
    while [ $# -gt 0 ]; do
        case $1 in
        --workdir) WORKDIR=${2:-}; shift ;;
        --workdir=*) WORKDIR=${1#*=} ;;
        *) rest+=("$1") ;;
        esac
        shift
    done
    [ -d "$WORKDIR" ] && WORKDIR=$(cd "$WORKDIR" && pwd -P)
    set -- "${rest[@]+"${rest[@]}"}"
    case $cmd in
    can-run) cmd_can_run "$@" ;;
    up) cmd_up "$@" ;;
    traffic) cmd_traffic "$@" ;;
    capture-check) cmd_capture_check "$@" ;;
    env) cmd_env "$@" ;;
    diag) cmd_diag "$@" ;;
    down) cmd_down "$@" ;;
    replay-check) cmd_replay_check "$@" ;;
    replay-up) cmd_replay_up "$@" ;;
    replay-send) cmd_replay_send "$@" ;;
    replay-down) cmd_replay_down "$@" ;;
    *) usage; fail 2 "unknown command '$cmd'" ;;
    esac
}

main "$@"
