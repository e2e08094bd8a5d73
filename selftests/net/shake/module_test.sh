#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Loading and unloading shake.ko: rmmod is refused while a socket exists,
# the ipproto parameter, refusing a number the kernel owns, autoloading
# through the module alias. Needs SHAKE_KO (the module file) and leaves the
# module loaded with its defaults, as it found it.

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
echo "1..13"

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

[ $failed -eq 0 ]
