// SPDX-License-Identifier: GPL-2.0
/*
 * shake: CUBIC congestion control (RFC 9438), with HyStart++ (RFC 9406)
 * to leave the first slow start when the round-trip time starts to grow,
 * before a queue overflows.
 *
 * After a loss the window is cut to beta (0.7) of what it was, W_max,
 * and then follows W(t) = C (t - K)^3 + W_max, t being the time since the
 * congestion avoidance epoch began and K the time the curve takes back to
 * W_max: quickly up while far below, flat near W_max, and probing beyond
 * it ever faster. Where Reno would be faster (short RTTs, small windows)
 * the window follows Reno's estimate instead (4.3). Time is in
 * milliseconds, windows in segments.
 */

#include <kunit/visibility.h>
#include <linux/math64.h>
#include <linux/module.h>

#include "protocol.h"

/* beta_cubic, of 1024 */
#define CUBIC_BETA		717
/* alpha_cubic = 3 (1 - beta) / (1 + beta) of Reno's estimate, of 1024 */
#define CUBIC_ALPHA		542
/* C = 0.4 segment/s^3 makes (t - K)^3 in ms^3 a window of
 * 2 (t - K)^3 / 5e9; K = cbrt((W_max - cwnd) * 2.5e9) ms
 */
#define CUBIC_C_DIV		5000000000LL
#define CUBIC_K_MUL		2500000000ULL
/* |t - K| beyond ~17 minutes says nothing more (and (t - K)^3 fits s64) */
#define CUBIC_T_MAX		BIT(20)
/* HyStart++ (RFC 9406 4.3): its constants */
#define HYSTART_MIN_RTT_THRESH	4000	/* us */
#define HYSTART_MAX_RTT_THRESH	16000	/* us */
#define HYSTART_MIN_RTT_DIVISOR	8
#define HYSTART_N_RTT_SAMPLE	8
#define HYSTART_CSS_GROWTH_DIV	4
#define HYSTART_CSS_ROUNDS	5
/* L: most segments a slow start ACK may add, unpaced */
#define HYSTART_L		8

static bool cubic_hystart __read_mostly = true;
module_param(cubic_hystart, bool, 0644);
MODULE_PARM_DESC(cubic_hystart, "CUBIC leaves slow start by HyStart++");
static bool cubic_fast_convergence __read_mostly = true;
module_param(cubic_fast_convergence, bool, 0644);
MODULE_PARM_DESC(cubic_fast_convergence,
		 "CUBIC lowers W_max below the window at a loss when it shrank");
static bool cubic_tcp_friendliness __read_mostly = true;
module_param(cubic_tcp_friendliness, bool, 0644);
MODULE_PARM_DESC(cubic_tcp_friendliness,
		 "CUBIC grows at least as fast as Reno would");

/**
 * struct shake_cubic - CUBIC's state in a socket (shake_ca())
 * @w_max: the window before the last reduction, segments (0 after a
 *	timeout: the next epoch starts its curve where it is)
 * @prior_w_max: @w_max before that reduction, which an undo restores
 * @cwnd_prior: the window when the last reduction came
 * @origin: the plateau of this epoch's curve
 * @k_ms: the time the curve takes to reach @origin
 * @epoch_ms: when this congestion avoidance epoch began, 0 before
 * @last_ack_ms: when new data was last acknowledged (idle time)
 * @w_est: Reno's window over the epoch (RFC 9438 4.3), segments << 16
 * @round_end: HyStart++'s round ends when snd_una reaches this
 * @last_round_min_us: the least RTT of the last round (U32_MAX: none)
 * @cur_round_min_us: the least RTT of this round so far
 * @css_baseline_us: the least RTT of the round that began CSS
 * @css_cnt: acknowledged segments towards CSS's next growth step
 * @rtt_samples: RTT samples in this round
 * @css_rounds: rounds spent in Conservative Slow Start
 * @in_css: in Conservative Slow Start
 * @hystart_done: the first slow start is over: HyStart++ rests
 */
struct shake_cubic {
	u32 w_max;
	u32 prior_w_max;
	u32 cwnd_prior;
	u32 origin;
	u32 k_ms;
	u32 epoch_ms;
	u32 last_ack_ms;
	u64 w_est;
	u32 round_end;
	u32 last_round_min_us;
	u32 cur_round_min_us;
	u32 css_baseline_us;
	u32 css_cnt;
	u16 rtt_samples;
	u8 css_rounds;
	u8 in_css:1,
	   hystart_done:1;
};

/* A clock of milliseconds where 0 means "not set" */
static u32 cubic_now(void)
{
	return shake_time_stamp() ? : 1;
}

/**
 * shake_cubic_cbrt - integer cube root
 * @a: the number
 *
 * Return: the largest x with x^3 <= @a.
 */
u32 shake_cubic_cbrt(u64 a)
{
	u64 x, y;

	if (!a)
		return 0;
	/* Newton's iteration from above falls to the root and stops */
	x = 1ULL << DIV_ROUND_UP(fls64(a), 3);
	for (;;) {
		y = div64_u64(2 * x + div64_u64(a, x * x), 3);
		if (y >= x)
			return x;
		x = y;
	}
}
EXPORT_SYMBOL_IF_KUNIT(shake_cubic_cbrt);

/**
 * shake_cubic_k - RFC 9438's K, the time from @cwnd back up to @w_max
 * @w_max: the window before the reduction, segments
 * @cwnd: the window the epoch starts from
 *
 * Return: K in milliseconds; 0 from at or above @w_max.
 */
u32 shake_cubic_k(u32 w_max, u32 cwnd)
{
	if (cwnd >= w_max)
		return 0;
	return shake_cubic_cbrt((u64)(w_max - cwnd) * CUBIC_K_MUL);
}
EXPORT_SYMBOL_IF_KUNIT(shake_cubic_k);

/**
 * shake_cubic_window - W_cubic(t) (RFC 9438, figure 1)
 * @origin: the curve's plateau, segments
 * @k_ms: K, milliseconds
 * @t_ms: time into the epoch, milliseconds
 *
 * Return: the window, segments, at least 1.
 */
u32 shake_cubic_window(u32 origin, u32 k_ms, u32 t_ms)
{
	s64 d = clamp_t(s64, (s64)t_ms - k_ms, -(s64)CUBIC_T_MAX,
			 CUBIC_T_MAX);
	s64 num = 2 * d * d * d, q = div64_s64(num, CUBIC_C_DIV), w;

	/* rounded down, so that the epoch starts where the window is */
	if (q * CUBIC_C_DIV > num)
		q--;
	w = origin + q;

	return clamp_t(s64, w, 1, U32_MAX);
}
EXPORT_SYMBOL_IF_KUNIT(shake_cubic_window);

static void cubic_hystart_reset(struct sock *sk)
{
	struct shake_cubic *ca = shake_ca(sk);

	ca->round_end = shake_sk(sk)->snd_nxt;
	ca->last_round_min_us = U32_MAX;
	ca->cur_round_min_us = U32_MAX;
	ca->css_baseline_us = U32_MAX;
	ca->rtt_samples = 0;
	ca->in_css = 0;
}

static void cubic_init(struct sock *sk)
{
	struct shake_cubic *ca = shake_ca(sk);

	BUILD_BUG_ON(sizeof(struct shake_cubic) > SHAKE_CA_PRIV_SIZE);
	cubic_hystart_reset(sk);
	ca->hystart_done = !cubic_hystart;
}

/* A new epoch: the curve from this window to W_max, Reno's from here */
static void cubic_epoch_start(struct shake_sock *ssk, struct shake_cubic *ca,
			      u32 now)
{
	ca->epoch_ms = now;
	ssk->cwnd_cnt = 0;
	ca->w_est = (u64)ssk->cwnd << 16;
	ca->k_ms = shake_cubic_k(ca->w_max, ssk->cwnd);
	ca->origin = max(ca->w_max, ssk->cwnd);
}

/* Congestion avoidance (RFC 9438 4.2-4.5): the target is where the curve
 * is an RTT from now, at most 1.5 times the window; each acknowledged
 * segment adds (target - cwnd) / cwnd. Where Reno's estimate is above the
 * curve, the window is Reno's.
 */
static void cubic_update(struct sock *sk, u32 acked)
{
	struct shake_sock *ssk = shake_sk(sk);
	struct shake_cubic *ca = shake_ca(sk);
	u32 now = cubic_now(), cwnd = ssk->cwnd;
	u32 t, w_t, target, est, cnt;

	if (!ca->epoch_ms)
		cubic_epoch_start(ssk, ca, now);
	t = now - ca->epoch_ms;
	w_t = shake_cubic_window(ca->origin, ca->k_ms, t);
	target = shake_cubic_window(ca->origin, ca->k_ms,
				    t + ssk->srtt_us / USEC_PER_MSEC);
	target = clamp(target, cwnd, cwnd + cwnd / 2);

	if (cubic_tcp_friendliness) {
		/* alpha_cubic until Reno's window reaches where the last
		 * loss was; Reno's own 1 from there (4.3)
		 */
		u32 alpha = (ca->w_est >> 16) >= ca->cwnd_prior ?
			    1024 : CUBIC_ALPHA;

		ca->w_est += div_u64((u64)alpha * acked << 6, cwnd);
		est = ca->w_est >> 16;
		if (est > w_t && est > cwnd) {
			ssk->cwnd = est;
			ssk->cwnd_cnt = 0;
			return;
		}
	}
	cnt = target > cwnd ? max(cwnd / (target - cwnd), 1U) : 100 * cwnd;
	shake_cong_avoid_ai(ssk, cnt, acked);
}

static void cubic_cong_avoid(struct sock *sk, u32 ack, u32 acked)
{
	struct shake_sock *ssk = shake_sk(sk);
	struct shake_cubic *ca = shake_ca(sk);

	if (ssk->cwnd < ssk->ssthresh) {
		acked = min_t(u32, acked, HYSTART_L);
		if (ca->in_css) {
			/* RFC 9406 4.2: a quarter of slow start's growth */
			ca->css_cnt += acked;
			ssk->cwnd += ca->css_cnt / HYSTART_CSS_GROWTH_DIV;
			ca->css_cnt %= HYSTART_CSS_GROWTH_DIV;
			return;
		}
		acked = shake_slow_start(ssk, acked);
		if (!acked)
			return;
	}
	cubic_update(sk, acked);
}

/* A loss (4.6, 4.7): beta of the window, and W_max where the loss came,
 * or below it when the window shrank since the last one, to leave room
 * to a newer flow (fast convergence). Slow start is over: HyStart++ too.
 */
static u32 cubic_ssthresh(struct sock *sk)
{
	struct shake_sock *ssk = shake_sk(sk);
	struct shake_cubic *ca = shake_ca(sk);
	u32 cwnd = ssk->cwnd;

	ca->epoch_ms = 0;
	ca->prior_w_max = ca->w_max;
	ca->cwnd_prior = cwnd;
	if (cubic_fast_convergence && cwnd < ca->w_max)
		ca->w_max = cwnd * (1024 + CUBIC_BETA) / 2048;
	else
		ca->w_max = cwnd;
	ca->hystart_done = 1;
	ca->in_css = 0;
	return max(cwnd * CUBIC_BETA / 1024, 2U);
}

/* After a timeout the first epoch's curve starts where the window is,
 * K = 0 (4.8)
 */
static void cubic_set_state(struct sock *sk, u8 new_state)
{
	struct shake_cubic *ca = shake_ca(sk);

	if (new_state == SHAKE_CA_LOSS) {
		ca->w_max = 0;
		ca->epoch_ms = 0;
	}
}

/* A spurious reduction (4.9): W_max comes back; the epoch starts anew */
static u32 cubic_undo_cwnd(struct sock *sk)
{
	struct shake_cubic *ca = shake_ca(sk);

	ca->w_max = max(ca->w_max, ca->prior_w_max);
	ca->epoch_ms = 0;
	return shake_reno_undo_cwnd(sk);
}

/* Sending after an idle time: the curve's clock did not run meanwhile
 * (the window was not used), as Linux's cubic
 */
static void cubic_cwnd_event(struct sock *sk, enum shake_ca_event ev)
{
	struct shake_cubic *ca = shake_ca(sk);
	u32 now = cubic_now();
	s32 idle;

	if (ev != SHAKE_CA_EVENT_TX_START || !ca->epoch_ms)
		return;
	idle = now - ca->last_ack_ms;
	if (idle > 0) {
		ca->epoch_ms += idle;
		if ((s32)(ca->epoch_ms - now) > 0)
			ca->epoch_ms = now;
	}
}

/* HyStart++ (RFC 9406 4.2), in the first slow start: per round, the
 * least of the first RTT samples; an RTT grown by an eighth of the last
 * round's (4 to 16 ms) begins Conservative Slow Start, whose growth is a
 * quarter; an RTT back below its baseline returns to slow start, and
 * five rounds of CSS end slow start.
 */
static void cubic_hystart_update(struct sock *sk,
				 const struct shake_ack_sample *s)
{
	struct shake_sock *ssk = shake_sk(sk);
	struct shake_cubic *ca = shake_ca(sk);
	u32 thresh;

	if (!shake_before(ssk->snd_una, ca->round_end)) {
		ca->round_end = ssk->snd_nxt;
		ca->last_round_min_us = ca->cur_round_min_us;
		ca->cur_round_min_us = U32_MAX;
		ca->rtt_samples = 0;
		if (ca->in_css && ++ca->css_rounds >= HYSTART_CSS_ROUNDS) {
			ssk->ssthresh = ssk->cwnd;
			ca->hystart_done = 1;
			ca->in_css = 0;
			SHAKE_INC_STATS(sock_net(sk),
					SHAKE_MIB_HYSTARTDELAYDETECT);
			SHAKE_ADD_STATS(sock_net(sk),
					SHAKE_MIB_HYSTARTDELAYCWND, ssk->cwnd);
			return;
		}
	}
	/* the first samples of a round only: later ones would lower the
	 * minimum a decision was already made on
	 */
	if (s->rtt_us <= 0 || ca->rtt_samples >= HYSTART_N_RTT_SAMPLE)
		return;
	ca->cur_round_min_us = min_t(u32, ca->cur_round_min_us, s->rtt_us);
	if (++ca->rtt_samples < HYSTART_N_RTT_SAMPLE)
		return;
	if (ca->in_css) {
		if (ca->cur_round_min_us < ca->css_baseline_us) {
			ca->in_css = 0;
			ca->css_baseline_us = U32_MAX;
		}
		return;
	}
	if (ca->last_round_min_us == U32_MAX)
		return;
	thresh = clamp_t(u32, ca->last_round_min_us / HYSTART_MIN_RTT_DIVISOR,
			 HYSTART_MIN_RTT_THRESH, HYSTART_MAX_RTT_THRESH);
	if (ca->cur_round_min_us >= ca->last_round_min_us + thresh) {
		ca->in_css = 1;
		ca->css_baseline_us = ca->cur_round_min_us;
		ca->css_rounds = 0;
		ca->css_cnt = 0;
	}
}

static void cubic_pkts_acked(struct sock *sk, const struct shake_ack_sample *s)
{
	struct shake_sock *ssk = shake_sk(sk);
	struct shake_cubic *ca = shake_ca(sk);

	ca->last_ack_ms = cubic_now();
	if (!ca->hystart_done && ssk->cwnd < ssk->ssthresh &&
	    ssk->ca_state == SHAKE_CA_OPEN)
		cubic_hystart_update(sk, s);
}

struct shake_cong_ops shake_cubic = {
	.flags		= SHAKE_CONG_NON_RESTRICTED,
	.init		= cubic_init,
	.ssthresh	= cubic_ssthresh,
	.cong_avoid	= cubic_cong_avoid,
	.set_state	= cubic_set_state,
	.cwnd_event	= cubic_cwnd_event,
	.pkts_acked	= cubic_pkts_acked,
	.undo_cwnd	= cubic_undo_cwnd,
	.name		= "cubic",
};
