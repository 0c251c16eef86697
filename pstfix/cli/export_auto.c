/*
 * export_auto.c - the scan behind `export`'s default salvage decision,
 * in its own thread (export_auto.h has the contract and the reason).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../formats/util/pf_err.h"
#include "../check/check.h"
#include "export_auto.h"

struct export_auto {
	pthread_t thread;
	char *path;
	atomic_bool damaged;      /* an error was found */
	atomic_bool over;         /* the scan returned */
	int rc;                   /* pf_check_file's, once over */
	char why[512];            /* its message (pf_err is per thread) */
};

static void on_finding(void *ctx, const struct pf_finding *f)
{
	struct export_auto *a = ctx;

	if (f->problem->sev == PF_SEV_ERROR)
		atomic_store(&a->damaged, true);
}

static void *scan(void *arg)
{
	struct export_auto *a = arg;
	struct pf_check_opts co = { .max_per_code = 1 };
	struct pf_check_summary sum;

	a->rc = pf_check_file(a->path, &co, on_finding, a, &sum);
	if (a->rc != 0)
		snprintf(a->why, sizeof(a->why), "%s", pf_error_msg());
	if (a->rc == 0 && sum.findings[PF_SEV_ERROR] > 0)
		atomic_store(&a->damaged, true);
	atomic_store(&a->over, true);
	return NULL;
}

int export_auto_start(struct export_auto **out, const char *path)
{
	struct export_auto *a = calloc(1, sizeof(*a));

	*out = NULL;
	if (a)
		a->path = strdup(path);
	if (!a || !a->path) {
		free(a);
		return PF_E_NOMEM;
	}
	atomic_init(&a->damaged, false);
	atomic_init(&a->over, false);
	if (pthread_create(&a->thread, NULL, scan, a) != 0) {
		free(a->path);
		free(a);
		return PF_E_IO;
	}
	*out = a;
	return 0;
}

bool export_auto_damaged(struct export_auto *a)
{
	return atomic_load(&a->damaged);
}

bool export_auto_settled(struct export_auto *a)
{
	return atomic_load(&a->over) && !atomic_load(&a->damaged);
}

int export_auto_finish(struct export_auto *a, bool *damaged)
{
	int rc;

	pthread_join(a->thread, NULL);
	rc = a->rc;
	*damaged = atomic_load(&a->damaged);
	if (rc != 0)
		pf_error_set(rc, "%s", a->why);
	free(a->path);
	free(a);
	return rc;
}
