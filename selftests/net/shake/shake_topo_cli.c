// SPDX-License-Identifier: GPL-2.0
/*
 * shake_topo: shake_topo_up() for scripts, so that they describe their
 * namespaces and veth pair as the C tests do (shake_topo.h):
 *
 *	shake_topo [neigh] FIELD0=VALUE... FIELD1=VALUE...
 *
 * FIELD is a field of struct shake_topo_end (ns dev addr mac gso_max_segs
 * route netem; tx_off and unowned take 1), the digit after it the end;
 * addr may come twice. "neigh" sets static_neigh. Both namespaces must be
 * named, since they outlive the program: the script deletes them (ip
 * netns del). Exits 0 once all is built; on failure deletes what it made.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shake_topo.h"

static int field(struct shake_topo *t, char *arg)
{
	char *eq = strchr(arg, '='), *val;
	struct shake_topo_end *e;

	if (!strcmp(arg, "neigh")) {
		t->static_neigh = true;
		return 0;
	}
	if (!eq || eq - arg < 2 || (eq[-1] != '0' && eq[-1] != '1'))
		return -1;
	e = &t->end[eq[-1] - '0'];
	eq[-1] = 0;
	val = eq + 1;
	if (!strcmp(arg, "ns"))
		e->ns = val;
	else if (!strcmp(arg, "dev"))
		e->dev = val;
	else if (!strcmp(arg, "mac"))
		e->mac = val;
	else if (!strcmp(arg, "route"))
		e->route = val;
	else if (!strcmp(arg, "netem"))
		e->netem = val;
	else if (!strcmp(arg, "gso_max_segs"))
		e->gso_max_segs = atoi(val);
	else if (!strcmp(arg, "tx_off"))
		e->tx_off = !strcmp(val, "1");
	else if (!strcmp(arg, "unowned"))
		e->unowned = !strcmp(val, "1");
	else if (!strcmp(arg, "addr") && !e->addr[SHAKE_TOPO_ADDRS - 1])
		e->addr[!!e->addr[0]] = val;	/* of SHAKE_TOPO_ADDRS, 2 */
	else
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	struct shake_topo t = { 0 };
	int i;

	for (i = 1; i < argc; i++) {
		if (field(&t, argv[i])) {
			fprintf(stderr, "shake_topo: what is %s?\n", argv[i]);
			return 2;
		}
	}
	if (!t.end[0].ns || !t.end[1].ns || !t.end[0].dev || !t.end[1].dev) {
		fprintf(stderr, "shake_topo: ns0, ns1, dev0, dev1 wanted\n");
		return 2;
	}
	if (shake_topo_up(&t)) {
		shake_topo_down(&t);
		return 1;
	}
	return 0;
}
