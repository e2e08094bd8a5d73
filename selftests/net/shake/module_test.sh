#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Loading and unloading shake.ko: rmmod is refused while a socket exists,
# the ipproto parameter, refusing a number the kernel owns, autoloading
# through the module alias, and unloading while TIME_WAIT records (which
# outlive their sockets) are left, in the initial namespace or in one
# being deleted. Needs SHAKE_KO (the module file) and leaves the module
# loaded with its defaults, as it found it.

ko=${SHAKE_KO:?SHAKE_KO must name shake.ko}
n=0
failed=0

ok() { n=$((n + 1)); echo "ok $n $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n $1"; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else not_ok "$name"; fi; }

loaded() { [ -d /sys/module/shake ]; }

# Holds a bound shake socket of protocol $1 until its stdin closes.
hold_socket() {
	python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, int(sys.argv[1]))
s.bind(("127.0.0.1", 0))
print("bound", flush=True)
sys.stdin.read()
' "$1"
}

# Can a shake socket of protocol $1 be created?
can_open() {
	python3 -c 'import socket, sys; socket.socket(2, 1, int(sys.argv[1]))' "$1" 2>/dev/null
}

# make_time_waits N: N loopback connections, each closed by its client
# first; the clients' ends stay as TIME_WAIT records (2*MSL: 60 s by
# default). Fails if a connection ends any other way.
make_time_waits() {
	python3 -c '
import socket, sys
n = int(sys.argv[1])
l = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 253)
l.bind(("127.0.0.1", 0))
l.listen(n)
for i in range(n):
    c = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 253)
    c.connect(l.getsockname())
    s, _ = l.accept()
    c.close()
    if s.recv(1) != b"":
        sys.exit(1)
    s.close()
' "$1"
}

# time_waits N: the TIME_WAIT lines (state 06) of /proc/net/shake, once
# there are N of them or after 2 s
time_waits() {
	local i n
	for i in $(seq 20); do
		n=$(awk '$4 == "06"' /proc/net/shake 2>/dev/null | wc -l)
		[ "$n" = "$1" ] && break
		sleep 0.1
	done
	echo "$n"
}

# Sockets are freed an RCU grace period after close(): wait a little.
sockets_in_use() {
	local i n
	for i in $(seq 20); do
		n=$(awk '$1 == "SHAKE" { print $3 }' /proc/net/protocols)
		[ "$n" = 0 ] && break
		sleep 0.1
	done
	echo "$n"
}

echo "TAP version 13"
echo "1..21"

loaded || insmod "$ko"

# rmmod while a socket is open
coproc HOLD { hold_socket 253; }
read -r line <&"${HOLD[0]}"
check "socket holds the module: rmmod refused" \
	bash -c "! rmmod shake 2>/dev/null"
check "module still loaded and listing after refused rmmod" \
	bash -c "[ -d /sys/module/shake ] && grep -q ':' /proc/net/shake"
exec {HOLD[1]}>&-
wait "$HOLD_PID"
check "sockets in use back to 0 after close" [ "$(sockets_in_use)" = 0 ]
check "rmmod succeeds once the socket is closed" rmmod shake
check "/proc/net/shake gone after unload" [ ! -e /proc/net/shake ]

# protocol numbers
check "ipproto=6 (TCP's) refused" bash -c "! insmod $ko ipproto=6 2>/dev/null"
check "refusal is logged" bash -c "dmesg | tail -5 | grep -q 'IP protocol 6 is already in use'"
check "ipproto=255 refused" bash -c "! insmod $ko ipproto=255 2>/dev/null"
check "refused loads leave nothing behind, TCP untouched" \
	bash -c "! [ -d /sys/module/shake ] && $(declare -f can_open); can_open 6"

insmod "$ko" ipproto=254
check "ipproto=254: protocol 254 opens, 253 does not" \
	bash -c "$(declare -f can_open); can_open 254 && ! can_open 253"
rmmod shake

# autoload through the module alias, from the module tree (guest overlay)
dst=/lib/modules/$(uname -r)/extra
mkdir -p "$dst" && cp "$ko" "$dst/shake.ko" && depmod -a 2>/dev/null
check "module alias for net-pf-2-proto-253-type-1" \
	bash -c "modinfo -F alias $ko | grep -qx net-pf-2-proto-253-type-1"
check "socket() autoloads shake" bash -c "$(declare -f can_open); can_open 253 && [ -d /sys/module/shake ]"
rmmod shake
rm -f "$dst/shake.ko" && depmod -a 2>/dev/null

insmod "$ko"
check "reloads with defaults" bash -c "[ \$(cat /sys/module/shake/parameters/ipproto) = 253 ]"

# TIME_WAIT records left at unload: the module tears them down itself
check "3 connections closed by the client leave 3 TIME_WAIT records" \
	bash -c "$(declare -f make_time_waits time_waits); make_time_waits 3 && [ \$(time_waits 3) = 3 ]"
check "TIME_WAIT records are not sockets: sockets in use 0" [ "$(sockets_in_use)" = 0 ]
check "rmmod succeeds with only TIME_WAIT records left" rmmod shake
check "/proc/net/shake gone after unload" [ ! -e /proc/net/shake ]

# ... and in a namespace deleted while it holds them, which the kernel
# dismantles in the background: rmmod may have to wait for that
insmod "$ko"
ns=shake-tw-$$
ip netns add $ns && ip -n $ns link set lo up
check "3 TIME_WAIT records in a namespace" ip netns exec $ns \
	bash -c "$(declare -f make_time_waits time_waits); make_time_waits 3 && [ \$(time_waits 3) = 3 ]"
check "the namespace holding them is deleted" ip netns del $ns
check "rmmod succeeds after the namespace is gone (within 5 s)" \
	bash -c 'for i in $(seq 50); do rmmod shake 2>/dev/null && exit 0; sleep 0.1; done; exit 1'
check "/proc/net/shake gone after unload" [ ! -e /proc/net/shake ]

loaded || insmod "$ko"

[ $failed -eq 0 ]
