/*
 * interrupt.c - the Ctrl-C flag shared by scan and repair (interrupt.h).
 */
#include <stdatomic.h>
#include <string.h>

#include "interrupt.h"

/* Lock-free atomics are the C11 way to share a flag with a handler. */
static atomic_int interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	atomic_store(&interrupted, 1);
}

/* Unix etiquette: a SIGINT ignored on entry stays ignored, so the Ctrl-C
 * meant for the foreground job does not cancel this one. */
void cli_sigint_catch(struct sigaction *old)
{
	struct sigaction sa;

	atomic_store(&interrupted, 0);
	sigaction(SIGINT, NULL, old);
	if (old->sa_handler == SIG_IGN)
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sa.sa_flags = SA_RESETHAND | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
}

void cli_sigint_restore(const struct sigaction *old)
{
	if (old->sa_handler != SIG_IGN)
		sigaction(SIGINT, old, NULL);
}

bool cli_interrupted(void)
{
	return atomic_load(&interrupted) != 0;
}
