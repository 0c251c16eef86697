/*
 * outbox_class.c - what an Outbox item is (outbox.h; smtp-facts.md):
 *
 *   PidTagMessageFlags (MS-OXCMSG 2.2.1.6)   Sent Items copy   class
 *   UNSENT clear                             -                 SENT
 *   UNSENT, SUBMIT or not                    yes               IN_SENT
 *   UNSENT without SUBMIT                    no                DRAFT
 *   UNSENT and SUBMIT, deferred > now        no                DEFERRED
 *   UNSENT and SUBMIT                        no                STRANDED
 *
 * The order matters: an item Outlook marked sent is SENT whatever else
 * is true (never re-sent); a copy in Sent Items outranks the flags that
 * still say "queued" (Outlook sent it and crashed before it cleaned up);
 * PidTagDeferredDeliveryTime (MS-OXOMSG 2.2.3.2) only delays an item
 * that is queued.  A deferred time at or before NOW has passed.
 */
#include <time.h>

#include "outbox.h"

#define FT_UNIX_EPOCH 116444736000000000ull   /* 1970 in 100 ns ticks */

enum pf_outbox_class pf_outbox_classify(int32_t flags, uint64_t deferred,
					uint64_t now, bool in_sent)
{
	uint32_t f = (uint32_t)flags;

	if (!(f & PF_MSGFLAG_UNSENT))
		return PF_OUTBOX_SENT;
	if (in_sent)
		return PF_OUTBOX_IN_SENT;
	if (!(f & PF_MSGFLAG_SUBMIT))
		return PF_OUTBOX_DRAFT;
	if (deferred > now)
		return PF_OUTBOX_DEFERRED;
	return PF_OUTBOX_STRANDED;
}

const char *pf_outbox_class_name(enum pf_outbox_class c)
{
	static const char *const names[] = {
		[PF_OUTBOX_STRANDED] = "stranded",
		[PF_OUTBOX_DRAFT] = "draft",
		[PF_OUTBOX_SENT] = "sent",
		[PF_OUTBOX_DEFERRED] = "deferred",
		[PF_OUTBOX_IN_SENT] = "in-sent",
	};

	if ((unsigned)c >= sizeof(names) / sizeof(*names))
		return "?";
	return names[c];
}

uint64_t pf_outbox_now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) != 0 || ts.tv_sec < 0)
		return FT_UNIX_EPOCH;
	return FT_UNIX_EPOCH + (uint64_t)ts.tv_sec * 10000000ull +
	       (uint64_t)ts.tv_nsec / 100;
}
