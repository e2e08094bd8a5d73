#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The handshake as a capture sees it (issue #3), for TCP and for shake with
# the same expectations: two network namespaces joined by a veth pair,
# tcpdump on the server's end, handshakes made by capture_conn.py (see
# there), the capture read back with tshark decoding shake as TCP. Checks:
# SYN seq=x without payload; SYN-ACK ack=x+1 with its own seq y; third
# segment seq=x+1, ack=y+1; MSS on SYN and SYN-ACK, the route MTU less 40;
# window scale, SACK-permitted and timestamps on the SYN and, only as
# offered, on the SYN-ACK; ISNs of successive connections on one 4-tuple
# all different and not a constant step apart (both sides).
#
# tcpdump rather than dumpcap because -U --immediate-mode writes every
# packet to the file as it is seen; the capture ends only once a marker
# datagram sent after the traffic is in the file, so nothing before it is
# lost when it stops.

dir=$(cd "$(dirname "$0")" && pwd)
conn=$dir/capture_conn.py
topo=$dir/shake_topo
shake_proto=$(cat /sys/module/shake/parameters/ipproto 2>/dev/null || echo 253)
count=5			# connections on one 4-tuple
srv_ip=10.0.1.2
cli_ip=10.0.1.1
mtu_cli_ip=10.0.1.11	# the server's route back to it: mtu 1400
M=0xffffffff

echo "TAP version 13"
for tool in tcpdump tshark python3 ip; do
	if ! command -v $tool >/dev/null; then
		echo "1..0 # SKIP $tool not found"
		exit 4
	fi
done

tmp=$(mktemp -d)
pcap=$tmp/handshake.pcap
cns=capture-cli-$$
sns=capture-srv-$$
marker=shake-capture-end-$$
cap_pid=

cleanup() {
	[ -n "$cap_pid" ] && kill "$cap_pid" 2>/dev/null && wait "$cap_pid"
	ip netns del $cns 2>/dev/null
	ip netns del $sns 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

diag() { echo "# $*"; }

# Results are printed after the plan, once everything is known.
results=()
failed=0
result() {
	if [ "$2" = 0 ]; then
		results+=("ok $((${#results[@]} + 1)) $1")
	else
		results+=("not ok $((${#results[@]} + 1)) $1")
		failed=$((failed + 1))
	fi
}
check() { local name=$1; shift; "$@"; result "$name" $?; }

# wait_for SECONDS CMD...: until CMD succeeds, every 0.1 s
wait_for() {
	local i n=$(($1 * 10))
	shift
	for ((i = 0; i < n; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

# the server's namespace and end (0), the client's (1): see shake_topo.h
if ! "$topo" ns0=$sns dev0=veth-s addr0=$srv_ip/24 \
	route0="$mtu_cli_ip/32 mtu 1400" \
	ns1=$cns dev1=veth-c addr1=$cli_ip/24 addr1=$mtu_cli_ip/24; then
	echo "1..1"
	echo "not ok 1 capture: namespaces and veth pair"
	exit 1
fi

# -Z root: tcpdump would open the file as user tcpdump, in a 0700 dir.
# -s 256: headers are enough. Immediate mode makes libpcap use TPACKET_V2,
# a ring of fixed frames sized by the snaplen on a device with offloads
# such as a veth: at -s 0 it holds only a few, and packets were dropped.
ip netns exec $sns tcpdump -i veth-s -n -s 256 -U --immediate-mode -Z root \
	-w "$pcap" "ip proto 6 or ip proto $shake_proto or udp port 9" \
	2>"$tmp/tcpdump.err" &
cap_pid=$!
# "listening on" comes once the packet socket is bound and its ring set up
if ! wait_for 20 grep -q "listening on" "$tmp/tcpdump.err"; then
	sed 's/^/# /' "$tmp/tcpdump.err"
	echo "1..1"
	echo "not ok 1 capture: tcpdump starts"
	exit 1
fi

protos=(tcp shake)
declare -A num=([tcp]=6 [shake]=$shake_proto)
# Ports differ per protocol only to keep tshark's conversations apart.
for i in 0 1; do
	p=${protos[i]}
	diag "$p: $count connections on $cli_ip:$((40000 + i)) -> $srv_ip:$((5000 + i)), one from $mtu_cli_ip, 4 crafted SYNs"
	python3 "$conn" ${num[$p]} $sns $cns $srv_ip $((5000 + i)) \
		$cli_ip $((40000 + i)) $count $mtu_cli_ip $((41000 + 10 * i)) ||
		diag "$p: capture_conn.py failed"
done

# Sent after all the traffic on the captured device: once it is in the
# file, every segment before it is too.
ip netns exec $sns bash -c "echo $marker > /dev/udp/$cli_ip/9"
wait_for 10 grep -qa $marker "$pcap" || diag "marker not captured"
kill -INT $cap_pid
wait $cap_pid
cap_pid=
sed 's/^/# tcpdump: /' "$tmp/tcpdump.err"
check "capture complete: marker seen, no packet dropped" \
	bash -c "grep -qa $marker '$pcap' && grep -q '^0 packets dropped by kernel' '$tmp/tcpdump.err'"

tshark -r "$pcap" -n -d ip.proto==$shake_proto,tcp -Y 'tcp && !icmp' \
	-T fields -E separator=';' -E occurrence=a -E aggregator=, \
	-e ip.proto -e ip.src -e tcp.srcport -e ip.dst -e tcp.dstport \
	-e tcp.flags.syn -e tcp.flags.ack -e tcp.flags.reset \
	-e tcp.seq_raw -e tcp.ack_raw -e tcp.len \
	-e tcp.options.mss_val -e tcp.options.wscale.shift -e tcp.option_kind \
	-e tcp.options.timestamp.tsval -e tcp.options.timestamp.tsecr \
	>"$tmp/fields" 2>"$tmp/tshark.err" ||
	sed 's/^/# tshark: /' "$tmp/tshark.err"

# handshakes PROTO CLI_IP CLI_PORT SRV_PORT: one line per handshake of that
# client (CLI_PORT 0: any port), in capture order, ';'-separated:
#   x synlen synmss synws synsack syntsval syntsecr
#   y saack samss saws sasack satsval satsecr tseq tack
# A repeated SYN (same seq) or SYN-ACK is skipped; the third segment is the
# client's first after the SYN-ACK with ACK and neither SYN nor RST.
handshakes() {
	awk -F';' -v proto="$1" -v cip="$2" -v cport="$3" -v sip=$srv_ip \
		-v sport="$4" '
	function on(v) { return v == "1" || v == "True" }
	function has(list, k,	a, i, n) {
		n = split(list, a, ",")
		for (i = 1; i <= n; i++)
			if (a[i] == k)
				return 1
		return 0
	}
	function opts() { return $12 ";" $13 ";" has($14, 4) ";" $15 ";" $16 }
	$1 != proto { next }
	{
		if ($2 == cip && (cport == 0 || $3 == cport) &&
		    $4 == sip && $5 == sport) {
			if (on($6) && !on($7)) {
				if (k && x[k] == $9 && sa[k] == "")
					next
				x[++k] = $9
				syn[k] = $9 ";" $11 ";" opts()
			} else if (k && sa[k] != "" && t[k] == "" &&
				   !on($6) && on($7) && !on($8)) {
				t[k] = $9 ";" $10
			}
		} else if ($2 == sip && $3 == sport && $4 == cip &&
			   (cport == 0 || $5 == cport)) {
			if (k && on($6) && on($7) && sa[k] == "")
				sa[k] = $9 ";" $10 ";" opts()
		}
	}
	END {
		for (i = 1; i <= k; i++)
			print syn[i] ";" (sa[i] == "" ? ";;;;;;" : sa[i]) ";" t[i]
	}' "$tmp/fields"
}

# fields LINE: a line of handshakes as variables
fields() {
	IFS=';' read -r x synlen synmss synws synsack syntsval syntsecr \
		y saack samss saws sasack satsval satsecr tseq tack <<<"$1"
}

# all_of LINES COND: COND (evaluated with fields set) holds for every line
all_of() {
	local line
	[ -n "$1" ] || return 1
	while read -r line; do
		fields "$line"
		eval "$2" || return 1
	done <<<"$1"
}

# complete LINES: $count handshakes, each with its three segments
complete() {
	[ "$(echo "$1" | grep -c .)" = $count ] && all_of "$1" '[ -n "$tseq" ]'
}

# offered SET: the options of the SYN-ACK (fields set) are exactly SET,
# and a timestamp echoes the crafted SYN's TSval (0x5eed0001)
offered() {
	local got=
	[ -n "$saws" ] && got+=" wscale"
	[ "$sasack" = 1 ] && got+=" sack"
	[ -n "$satsval" ] && got+=" ts"
	[ "$got" = "$1" ] || return 1
	[ -z "$satsval" ] || [ "$satsecr" = $((0x5eed0001)) ]
}

# isns_vary VALUES: all different, and the steps between them not all equal
isns_vary() {
	local v prev="" steps="" n
	n=$(echo "$1" | grep -c .)
	[ "$n" -ge 3 ] && [ "$(echo "$1" | sort -u | grep -c .)" = "$n" ] || return 1
	[ "$2" = differ ] && return 0
	for v in $1; do
		[ -n "$prev" ] && steps+="$(((v - prev) & M))"$'\n'
		prev=$v
	done
	[ "$(echo -n "$steps" | sort -u | grep -c .)" -gt 1 ]
}

for i in 0 1; do
	p=${protos[i]}
	hs=$(handshakes ${num[$p]} $cli_ip $((40000 + i)) $((5000 + i)))
	mtu_hs=$(handshakes ${num[$p]} $mtu_cli_ip 0 $((5000 + i)))
	n=0
	while read -r line; do
		[ -n "$line" ] || continue
		fields "$line"
		diag "$p $((++n)): SYN seq=$x len=$synlen mss=$synmss ws=$synws sack=$synsack tsval=$syntsval tsecr=$syntsecr;" \
			"SYN-ACK seq=$y ack=$saack mss=$samss ws=$saws sack=$sasack tsval=$satsval tsecr=$satsecr;" \
			"third seq=$tseq ack=$tack"
	done <<<"$hs"
	fields "$mtu_hs"
	diag "$p from $mtu_cli_ip: SYN-ACK mss=$samss"

	check "$p: $count handshakes on one 4-tuple captured: SYN, SYN-ACK, third segment" \
		complete "$hs"
	check "$p: SYN has seq=x and no payload" \
		all_of "$hs" '[ -n "$x" ] && [ "$synlen" = 0 ]'
	check "$p: SYN-ACK has ack=x+1 and its own seq=y" \
		all_of "$hs" '[ -n "$y" ] && [ "$y" != "$x" ] && [ "$saack" = $(((x + 1) & M)) ]'
	check "$p: third segment has seq=x+1, ack=y+1" \
		all_of "$hs" '[ -n "$tseq" ] && [ "$tseq" = $(((x + 1) & M)) ] && [ "$tack" = $(((y + 1) & M)) ]'
	check "$p: SYN carries the MSS option" all_of "$hs" '[ -n "$synmss" ]'
	check "$p: SYN-ACK carries the MSS option" all_of "$hs" '[ -n "$samss" ]'
	check "$p: SYN MSS is the route MTU less 40 (1460)" \
		all_of "$hs" '[ "$synmss" = 1460 ]'
	check "$p: SYN-ACK MSS is the route MTU less 40 (1460 on a 1500 veth)" \
		all_of "$hs" '[ "$samss" = 1460 ]'
	check "$p: SYN-ACK MSS is the route MTU less 40 (1360 on a route of mtu 1400)" \
		all_of "$mtu_hs" '[ "$samss" = 1360 ]'
	check "$p: SYN carries window scale" all_of "$hs" '[ -n "$synws" ]'
	check "$p: SYN carries SACK-permitted" all_of "$hs" '[ "$synsack" = 1 ]'
	check "$p: SYN carries timestamps" all_of "$hs" '[ -n "$syntsval" ]'
	check "$p: SYN-ACK carries window scale (offered)" \
		all_of "$hs" '[ -n "$saws" ]'
	check "$p: SYN-ACK carries SACK-permitted (offered)" \
		all_of "$hs" '[ "$sasack" = 1 ]'
	check "$p: SYN-ACK carries timestamps (offered), TSecr = the SYN's TSval" \
		all_of "$hs" '[ -n "$satsval" ] && [ "$satsecr" = "$syntsval" ]'
	# the crafted SYNs of capture_conn.py, in its order
	j=0
	for set in "" " sack" " wscale" " ts"; do
		case $set in
		"") what="MSS only: none of wscale, SACK-permitted, timestamps" ;;
		*sack) what="MSS and SACK-permitted: SACK-permitted only" ;;
		*wscale) what="MSS and window scale: window scale only" ;;
		*ts) what="MSS and timestamps: timestamps only, TSecr = TSval" ;;
		esac
		c=$(handshakes ${num[$p]} $cli_ip $((41000 + 10 * i + j)) $((5000 + i)))
		fields "$c"
		diag "$p: SYN offering ${what%%:*}: SYN-ACK seq=$y mss=$samss ws=$saws sack=$sasack tsval=$satsval tsecr=$satsecr"
		check "$p: SYN-ACK to a SYN offering $what" \
			all_of "$c" "[ -n \"\$y\" ] && offered '$set'"
		j=$((j + 1))
	done
	isn_c=$(echo "$hs" | cut -d';' -f1)
	isn_s=$(echo "$hs" | cut -d';' -f8)
	diag "$p: client ISNs" $isn_c
	diag "$p: server ISNs" $isn_s
	check "$p: client ISNs of successive connections on one 4-tuple differ" \
		isns_vary "$isn_c" differ
	check "$p: client ISNs are not a constant step apart" \
		isns_vary "$isn_c" steps
	check "$p: server ISNs of successive connections on one 4-tuple differ" \
		isns_vary "$isn_s" differ
	check "$p: server ISNs are not a constant step apart" \
		isns_vary "$isn_s" steps
done

diag "took ${SECONDS}s"
echo "1..${#results[@]}"
printf '%s\n' "${results[@]}"
[ $failed -eq 0 ]
