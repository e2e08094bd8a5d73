// SPDX-License-Identifier: GPL-2.0
/* Segments as the wire carries them: see shake_seg.h. */
#include <arpa/inet.h>
#include <netinet/ip.h>
#include <string.h>

#include "shake_seg.h"

const uint8_t shake_mss_opt[4] = { 2, 4, 1460 >> 8, 1460 & 0xff };

uint16_t shake_inet_csum(const void *buf, int len, uint32_t sum)
{
	const uint16_t *w = buf;

	for (; len > 1; len -= 2)
		sum += *w++;
	/* a last odd byte is the high half of a word: first in memory */
	if (len)
		sum += htons(*(const uint8_t *)w << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

uint16_t shake_csum(const void *seg, int len, uint32_t saddr, uint32_t daddr,
		    int proto)
{
	uint32_t sum = 0;

	sum += (saddr & 0xffff) + (saddr >> 16);
	sum += (daddr & 0xffff) + (daddr >> 16);
	sum += htons(proto) + htons(len);
	return shake_inet_csum(seg, len, sum);
}

int shake_ip_hdr(void *buf, int proto, uint32_t saddr, uint32_t daddr,
		 int len)
{
	struct iphdr *ip = buf;

	memset(ip, 0, sizeof(*ip));
	ip->version = 4;
	ip->ihl = sizeof(*ip) / 4;
	ip->tot_len = htons(sizeof(*ip) + len);
	ip->ttl = 64;
	ip->protocol = proto;
	ip->saddr = saddr;
	ip->daddr = daddr;
	ip->check = shake_inet_csum(ip, sizeof(*ip), 0);
	return sizeof(*ip);
}

int shake_seg_build(void *buf, int size, const struct shake_seg_desc *d)
{
	int hlen = 20 + d->optlen, iplen = d->ip ? sizeof(struct iphdr) : 0;
	struct shake_seg *s = (struct shake_seg *)((uint8_t *)buf + iplen);

	if (d->optlen % 4 || d->optlen > (int)sizeof(s->opt) ||
	    iplen + hlen + d->len > size)
		return -1;
	memset(s, 0, hlen);
	s->sport = htons(d->sport);
	s->dport = htons(d->dport);
	s->seq = htonl(d->seq);
	s->ack = htonl(d->ack);
	s->off_res = (d->doff ? d->doff : hlen / 4) << 4;
	s->flags = d->flags;
	s->win = htons(d->win);
	if (d->optlen)
		memcpy(s->opt, d->opt, d->optlen);
	if (d->len)
		memcpy((uint8_t *)s + hlen, d->data, d->len);
	s->check = shake_csum(s, hlen + d->len, d->saddr, d->daddr, d->proto);
	if (d->ip)
		shake_ip_hdr(buf, d->proto, d->saddr, d->daddr, hlen + d->len);
	return iplen + hlen + d->len;
}

int shake_seg_sacks(const struct shake_seg *s, uint32_t (*blocks)[2], int max)
{
	int left = (s->off_res >> 4) * 4 - 20, i = 0, n = 0;
	const uint8_t *o = s->opt;

	while (i < left && o[i] != 0) {
		if (o[i] == 1) {
			i++;
			continue;
		}
		if (i + 1 >= left || o[i + 1] < 2 || i + o[i + 1] > left)
			return -1;
		if (o[i] == 5) {
			int j;

			for (j = i + 2; j + 8 <= i + o[i + 1] && n < max; j += 8) {
				uint32_t v[2];

				memcpy(v, o + j, 8);
				blocks[n][0] = ntohl(v[0]);
				blocks[n][1] = ntohl(v[1]);
				n++;
			}
		}
		i += o[i + 1];
	}
	return n;
}
