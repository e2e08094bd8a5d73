/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * shake: a TCP-class transport protocol, as a loadable module.
 *
 * What user programs need to open a shake socket:
 *
 *	int fd = socket(AF_INET, SOCK_STREAM, IPPROTO_SHAKE);
 *
 * The module parameter "ipproto" may move shake to another IP protocol
 * number; /sys/module/shake/parameters/ipproto tells which one is in use.
 */
#ifndef _UAPI_LINUX_SHAKE_H
#define _UAPI_LINUX_SHAKE_H

#include <linux/types.h>

/* RFC 3692 experimentation number; the default of the "ipproto" parameter */
#ifndef IPPROTO_SHAKE
#define IPPROTO_SHAKE	253
#endif

/*
 * Socket options at level SOL_SHAKE. The numbers are TCP's, and the same
 * calls are also accepted at level IPPROTO_TCP (SOL_TCP), so programs
 * written for TCP keep working.
 */
#define SOL_SHAKE		253
#define SHAKE_NODELAY		1	/* no Nagle */
#define SHAKE_MAXSEG		2	/* bound of the segment size we send */
#define SHAKE_CORK		3	/* hold partial segments until uncorked */
#define SHAKE_KEEPIDLE		4	/* seconds idle before keepalive probes */
#define SHAKE_KEEPINTVL		5	/* seconds between keepalive probes */
#define SHAKE_KEEPCNT		6	/* unanswered probes before giving up */
#define SHAKE_INFO		11	/* struct shake_info (read only) */
#define SHAKE_CONGESTION	13	/* congestion control algorithm, by name */

/* shake_info.options: what the handshake negotiated */
#define SHAKE_INFO_OPT_TIMESTAMPS	1
#define SHAKE_INFO_OPT_SACK		2
#define SHAKE_INFO_OPT_WSCALE		4

/**
 * struct shake_info - a connection's state, as getsockopt(SHAKE_INFO) sees it
 * @state: TCP_* state number (include/net/tcp_states.h)
 * @options: SHAKE_INFO_OPT_* flags
 * @snd_wscale: shift of the peer's advertised windows
 * @rcv_wscale: shift of the windows we advertise
 * @retransmits: retransmissions of the oldest unacknowledged segment
 * @total_retrans: retransmitted segments over the connection's life
 * @rto: retransmission timeout, microseconds
 * @srtt: smoothed round-trip time, microseconds
 * @rttvar: round-trip time variation, microseconds
 * @snd_mss: largest segment we send, bytes of data
 * @rcv_mss: largest segment the peer may send us
 * @snd_cwnd: congestion window, segments
 * @snd_ssthresh: slow start threshold, segments
 * @snd_wnd: the peer's receive window, bytes
 * @rcv_wnd: the receive window we last advertised, bytes
 * @bytes_sent: bytes of data sent, retransmissions included
 * @bytes_acked: bytes of data the peer acknowledged
 * @bytes_received: bytes of data received in order
 * @unacked: segments sent and not acknowledged
 * @sacked: of those, SACKed by the peer (without SACK: duplicate ACKs)
 * @lost: of those, marked lost
 * @retrans: of those, retransmitted and not yet acknowledged
 * @reordering: segments the path may reorder (the duplicate ACK threshold)
 * @rcv_ooopack: segments received out of order and kept
 * @ca_state: where loss recovery is, in TCP's numbers (enum tcp_ca_state
 *	of linux/tcp.h): 0 open, 3 recovery, 4 loss (after a timeout)
 * @rcv_space: bytes the reader took in the last RTT, as receive-buffer
 *	autotuning measured it
 * @congestion: the congestion control algorithm's name
 */
struct shake_info {
	__u8	state;
	__u8	options;
	__u8	snd_wscale;
	__u8	rcv_wscale;
	__u32	retransmits;
	__u32	total_retrans;
	__u32	rto;
	__u32	srtt;
	__u32	rttvar;
	__u32	snd_mss;
	__u32	rcv_mss;
	__u32	snd_cwnd;
	__u32	snd_ssthresh;
	__u32	snd_wnd;
	__u32	rcv_wnd;
	__u64	bytes_sent;
	__u64	bytes_acked;
	__u64	bytes_received;
	__u32	unacked;
	__u32	sacked;
	__u32	lost;
	__u32	retrans;
	__u32	reordering;
	__u32	rcv_ooopack;
	__u32	ca_state;
	__u32	rcv_space;
	char	congestion[16];
};

#endif /* _UAPI_LINUX_SHAKE_H */
