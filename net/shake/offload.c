// SPDX-License-Identifier: GPL-2.0
/*
 * shake: segmentation offload for the protocol number. GSO cuts a
 * super-segment the socket built into MSS-sized segments where the device
 * cannot take it whole; GRO merges arriving in-order segments of one flow
 * into one, so that the stack above pays per-packet costs once. The IPv4
 * offload layer calls these by IP protocol number.
 *
 * There is no GSO type for a protocol outside the tree. shake's
 * super-segments carry SCTP's (SHAKE_GSO_TYPE): no hardware segments it
 * (NETIF_F_GSO_SCTP is software only), veth and loopback carry it whole,
 * and the segmentation itself comes here, by protocol number.
 */

#include <net/gro.h>
#include <net/ip.h>
#include <net/protocol.h>

#include "protocol.h"

/* The pseudo-header sum of a segment whose transport length is @len */
static __sum16 shake_gso_pseudo(const struct sk_buff *skb, unsigned int len)
{
	const struct iphdr *iph = ip_hdr(skb);

	return ~csum_tcpudp_magic(iph->saddr, iph->daddr, len, shake_ipproto, 0);
}

/* skb_segment() hands the socket's ownership of a super-segment (and all
 * of its truesize) to the last segment. Give each segment its own, as
 * TCP's GSO does: a last segment that crosses a veth or loopback with the
 * whole super-segment's truesize would fill the receiver's buffer alone.
 */
static void shake_gso_owners(struct sk_buff *gso_skb, struct sk_buff *segs)
{
	unsigned int whole, sum = 0;
	struct sk_buff *seg, *last = NULL;
	struct sock *sk;
	int delta;

	for (seg = segs; seg; seg = seg->next)
		last = seg;
	if (!last || last->destructor != sock_wfree)
		return;
	sk = last->sk;
	swap(last->truesize, gso_skb->truesize);
	whole = gso_skb->truesize;
	for (seg = segs; seg; seg = seg->next) {
		if (seg != last) {
			seg->sk = sk;
			seg->destructor = sock_wfree;
		}
		sum += seg->truesize;
	}
	delta = sum - whole;
	if (delta >= 0)
		refcount_add(delta, &sk->sk_wmem_alloc);
	else
		WARN_ON_ONCE(refcount_sub_and_test(-delta, &sk->sk_wmem_alloc));
}

/**
 * shake_gso_segment - cut a super-segment into segments of gso_size bytes
 * @skb: the super-segment, its data at the shake header
 * @features: what the device can do
 *
 * Each segment gets its own sequence number; FIN and PSH stay on the last,
 * CWR on the first; each is the socket's, with its own truesize. The
 * checksums are left partial for a device that sums any protocol
 * (NETIF_F_HW_CSUM) and finished here for any other: one that
 * sums TCP and UDP only would take ours for TCP's by its offset.
 *
 * Return: the list of segments, NULL when the device takes @skb whole, or
 * an ERR_PTR.
 */
static struct sk_buff *shake_gso_segment(struct sk_buff *skb,
					 netdev_features_t features)
{
	struct sk_buff *segs = ERR_PTR(-EINVAL), *seg;
	unsigned int thlen, mss, oldlen;
	struct shakehdr *th;
	__sum16 newcheck;
	__wsum delta;
	u32 seq;

	if (!(skb_shinfo(skb)->gso_type & SHAKE_GSO_TYPE) ||
	    !pskb_may_pull(skb, sizeof(*th)))
		goto out;
	th = shake_hdr(skb);
	thlen = th->doff * 4;
	if (thlen < sizeof(*th) || !pskb_may_pull(skb, thlen))
		goto out;
	th = shake_hdr(skb);
	if (skb->ip_summed != CHECKSUM_PARTIAL) {
		/* from a source that left it complete: make it partial */
		th->check = shake_gso_pseudo(skb, skb->len);
		skb->ip_summed = CHECKSUM_PARTIAL;
		skb->csum_start = skb_transport_header(skb) - skb->head;
		skb->csum_offset = offsetof(struct shakehdr, check);
	}
	if (skb_checksum_start(skb) != skb_transport_header(skb))
		goto out;

	oldlen = ~skb->len;
	__skb_pull(skb, thlen);
	mss = skb_shinfo(skb)->gso_size;
	if (unlikely(skb->len <= mss))
		goto out;
	if (skb_gso_ok(skb, features | NETIF_F_GSO_ROBUST)) {
		/* the device segments it; from an untrusted source: recount */
		skb_shinfo(skb)->gso_segs = DIV_ROUND_UP(skb->len, mss);
		segs = NULL;
		goto out;
	}
	if (!(features & NETIF_F_HW_CSUM))
		features &= ~NETIF_F_CSUM_MASK;

	segs = skb_segment(skb, features);
	if (IS_ERR(segs))
		goto out;
	shake_gso_owners(skb, segs);
	/* a frag_list skb may come back in MSS multiples */
	if (skb_is_gso(segs))
		mss *= skb_shinfo(segs)->gso_segs;

	delta = (__force __wsum)htonl(oldlen + thlen + mss);
	th = shake_hdr(segs);
	seq = ntohl(th->seq);
	newcheck = ~csum_fold(csum_add(csum_unfold(th->check), delta));
	for (seg = segs; seg; seg = seg->next) {
		th = shake_hdr(seg);
		th->seq = htonl(seq);
		if (seg != segs)
			th->cwr = 0;
		if (seg->next) {
			th->fin = 0;
			th->psh = 0;
			th->check = newcheck;
		} else {
			delta = (__force __wsum)htonl(oldlen +
						      skb_tail_pointer(seg) -
						      skb_transport_header(seg) +
						      seg->data_len);
			th->check = ~csum_fold(csum_add(csum_unfold(th->check),
							delta));
		}
		if (seg->ip_summed == CHECKSUM_PARTIAL)
			gso_reset_checksum(seg, ~csum_unfold(th->check));
		else
			th->check = gso_make_checksum(seg, ~csum_unfold(th->check));
		seq += mss;
	}
out:
	return segs;
}

/* Append @skb, pulled to its data, to the frag_list of the merged @p */
static int shake_gro_merge(struct sk_buff *p, struct sk_buff *skb)
{
	unsigned int len = skb_gro_len(skb), offset = skb_gro_offset(skb);
	unsigned int headlen = skb_headlen(skb);
	unsigned int truesize = skb->truesize;
	struct sk_buff *lp = NAPI_GRO_CB(p)->last;

	if (unlikely(p->len + len >= GRO_LEGACY_MAX_SIZE ||
		     p->len + len >= READ_ONCE(p->dev->gro_max_size) ||
		     NAPI_GRO_CB(skb)->flush))
		return -E2BIG;

	/* whatever owned it, the merged packet owns it now */
	skb->destructor = NULL;
	if (offset > headlen) {
		unsigned int eat = offset - headlen;

		skb_frag_off_add(&skb_shinfo(skb)->frags[0], eat);
		skb_frag_size_sub(&skb_shinfo(skb)->frags[0], eat);
		skb->data_len -= eat;
		skb->len -= eat;
		offset = headlen;
	}
	__skb_pull(skb, offset);

	if (lp == p)
		skb_shinfo(p)->frag_list = skb;
	else
		lp->next = skb;
	NAPI_GRO_CB(p)->last = skb;
	__skb_header_release(skb);

	NAPI_GRO_CB(p)->count++;
	p->data_len += len;
	p->truesize += truesize;
	p->len += len;
	NAPI_GRO_CB(skb)->same_flow = 1;
	return 0;
}

/* Flags that end a merge: the segment after them is not more of the same */
#define SHAKE_GRO_FLUSH_FLAGS	(SHAKEHDR_URG | SHAKEHDR_PSH | SHAKEHDR_RST | \
				 SHAKEHDR_SYN | SHAKEHDR_FIN)

/**
 * shake_gro_receive - merge an arriving segment into a held one of its flow
 * @head: the packets GRO holds for this IP flow
 * @skb: the arriving one, at its shake header
 *
 * A segment joins the held packet of its ports when it continues it in
 * sequence, acknowledges the same, has the same flags (FIN and PSH aside)
 * and the same options byte for byte, and is no longer than the held
 * one's segments. One shorter than those, or with SYN, RST, URG, FIN
 * or PSH, is the last of a merge; CWR starts a new one.
 *
 * Return: the held packet to flush now, or NULL.
 */
static struct sk_buff *shake_gro_receive(struct list_head *head,
					 struct sk_buff *skb)
{
	unsigned int off, hlen, thlen, len, mss = 1, i;
	struct shakehdr *th, *th2;
	struct sk_buff *pp = NULL, *p;
	int flush = 1;
	u8 flags;

	if (!NAPI_GRO_CB(skb)->flush &&
	    skb_gro_checksum_validate(skb, shake_ipproto,
				      inet_gro_compute_pseudo))
		goto out;

	off = skb_gro_offset(skb);
	hlen = off + sizeof(*th);
	th = skb_gro_header(skb, hlen, off);
	if (unlikely(!th))
		goto out;
	thlen = th->doff * 4;
	if (thlen < sizeof(*th))
		goto out;
	hlen = off + thlen;
	if (skb_gro_header_hard(skb, hlen)) {
		th = skb_gro_header_slow(skb, hlen, off);
		if (unlikely(!th))
			goto out;
	}
	skb_gro_pull(skb, thlen);
	len = skb_gro_len(skb);
	flags = shake_flag_byte(th);

	list_for_each_entry(p, head, list) {
		if (!NAPI_GRO_CB(p)->same_flow)
			continue;
		th2 = shake_hdr(p);
		if (th->source != th2->source || th->dest != th2->dest) {
			NAPI_GRO_CB(p)->same_flow = 0;
			continue;
		}
		goto found;
	}
	p = NULL;
	goto out_check_final;

found:
	flush = NAPI_GRO_CB(p)->flush;
	flush |= flags & SHAKEHDR_CWR;
	flush |= (flags ^ shake_flag_byte(th2)) &
		 ~(SHAKEHDR_CWR | SHAKEHDR_FIN | SHAKEHDR_PSH);
	flush |= th->ack_seq != th2->ack_seq;
	/* the same options, timestamps included, as TCP's GRO asks */
	flush |= th->doff != th2->doff;
	for (i = sizeof(*th); !flush && i < thlen; i += 4)
		flush |= *(u32 *)((u8 *)th + i) != *(u32 *)((u8 *)th2 + i);
	/* the IP ID: all alike or all counting up, as inet_gro_receive saw */
	if (NAPI_GRO_CB(p)->flush_id != 1 || NAPI_GRO_CB(p)->count != 1 ||
	    !NAPI_GRO_CB(p)->is_atomic)
		flush |= NAPI_GRO_CB(p)->flush_id;
	else
		NAPI_GRO_CB(p)->is_atomic = false;

	mss = skb_shinfo(p)->gso_size;
	if (unlikely(skb_is_gso(skb)))
		flush |= mss != skb_shinfo(skb)->gso_size;
	else
		flush |= len - 1 >= mss;
	flush |= ntohl(th2->seq) + skb_gro_len(p) != ntohl(th->seq);

	if (flush || shake_gro_merge(p, skb)) {
		mss = 1;
		goto out_check_final;
	}
	shake_flag_byte(th2) |= flags & (SHAKEHDR_FIN | SHAKEHDR_PSH);
	SHAKE_INC_STATS(dev_net(skb->dev), SHAKE_MIB_GROMERGED);

out_check_final:
	if (unlikely(skb_is_gso(skb)))
		flush = len != NAPI_GRO_CB(skb)->count *
			       skb_shinfo(skb)->gso_size;
	else
		flush = len < mss;
	flush |= flags & SHAKE_GRO_FLUSH_FLAGS;
	if (p && (!NAPI_GRO_CB(skb)->same_flow || flush))
		pp = p;
out:
	NAPI_GRO_CB(skb)->flush |= flush != 0;
	return pp;
}

/**
 * shake_gro_complete - finish a merged packet for the stack above
 * @skb: the merged packet, its transport header set
 * @thoff: where that header starts
 *
 * It leaves as a super-segment: a partial checksum (every part was
 * verified on the way in), SHAKE_GSO_TYPE with the count, so that one
 * forwarded to another device is cut up again.
 *
 * Return: 0.
 */
static int shake_gro_complete(struct sk_buff *skb, int thoff)
{
	struct shakehdr *th = shake_hdr(skb);

	th->check = shake_gso_pseudo(skb, skb->len - thoff);
	skb->csum_start = (unsigned char *)th - skb->head;
	skb->csum_offset = offsetof(struct shakehdr, check);
	skb->ip_summed = CHECKSUM_PARTIAL;
	skb_shinfo(skb)->gso_type |= SHAKE_GSO_TYPE;
	skb_shinfo(skb)->gso_segs = NAPI_GRO_CB(skb)->count;
	return 0;
}

static const struct net_offload shake_offload = {
	.callbacks = {
		.gso_segment	= shake_gso_segment,
		.gro_receive	= shake_gro_receive,
		.gro_complete	= shake_gro_complete,
	},
};

int shake_offload_init(void)
{
	return inet_add_offload(&shake_offload, shake_ipproto);
}

/* inet_del_offload() waits for a grace period: no caller is left inside */
void shake_offload_exit(void)
{
	inet_del_offload(&shake_offload, shake_ipproto);
}
