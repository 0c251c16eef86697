/*
 * mimew_item.c - the fields of contacts, appointments and tasks that
 * vCard / iCalendar need (struct pf_mimew_item).
 *
 * Standard properties first (MS-OXOCNTC 2.2.1: PidTagGivenName,
 * PidTagSurname, ..., the business address PidTagStreetAddress ...;
 * MS-OXOCAL 2.2.1.30/31: PidTagStartDate, PidTagEndDate); named
 * properties through the store's name-to-id map (MS-PST 2.4.7) where no
 * standard one exists: PidLidEmail1..3EmailAddress (PSETID_Address),
 * PidLidLocation, PidLidAppointmentStartWhole / EndWhole / SubType
 * (PSETID_Appointment), PidLidTaskStartDate / DueDate / PercentComplete /
 * Complete (PSETID_Task).  Without a map those stay empty.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mimew_int.h"

/* {00062004-0000-0000-C000-000000000046} etc., on-disk byte order */
#define PSETID(b) { b, 0x20, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, \
		    0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46 }
static const uint8_t ps_address[16] = PSETID(0x04);
static const uint8_t ps_appointment[16] = PSETID(0x02);
static const uint8_t ps_task[16] = PSETID(0x03);
/* PSETID_Meeting {6ED8DA90-450B-101B-98DA-00AA003F1305} */
static const uint8_t ps_meeting[16] = {
	0x90, 0xDA, 0xD8, 0x6E, 0x0B, 0x45, 0x1B, 0x10,
	0x98, 0xDA, 0x00, 0xAA, 0x00, 0x3F, 0x13, 0x05 };

/* The property id MAP gives the numeric named property (SET, LID). */
static uint16_t named(const struct pf_nameid_map *map, const uint8_t *set,
		      uint32_t lid)
{
	for (uint32_t i = 0; map && i < map->count; i++) {
		const struct pf_nameid_entry *e = &map->v[i];

		if (e->ok && e->kind == PF_NAMEID_NUMERIC && e->lid == lid &&
		    memcmp(e->guid, set, 16) == 0)
			return e->prop_id;
	}
	return 0;
}

static char *sget(const struct pf_pc *pc, uint16_t id)
{
	char *s = NULL;

	if (id == 0 || pf_pc_get_string(pc, id, &s) != 0 || (s && !*s)) {
		free(s);
		return NULL;
	}
	return s;
}

static void contact(struct pf_mimew_item *it, const struct pf_pc *pc,
		    const struct pf_nameid_map *map)
{
	static const struct {
		size_t off;
		uint16_t id;
	} std[] = {
#define F(field, id) { offsetof(struct pf_mimew_item, field), id }
		F(given, 0x3A06), F(surname, 0x3A11), F(middle, 0x3A44),
		F(prefix, 0x3A45), F(suffix, 0x3A05), F(nickname, 0x3A4F),
		F(company, 0x3A16), F(department, 0x3A18), F(title, 0x3A17),
		F(phone_work, 0x3A08), F(phone_home, 0x3A09),
		F(phone_mobile, 0x3A1C), F(phone_fax, 0x3A24),
		F(street, 0x3A29), F(city, 0x3A27), F(region, 0x3A28),
		F(postcode, 0x3A2A), F(country, 0x3A26), F(url, 0x3A51),
#undef F
	};
	uint64_t bday = 0;

	for (size_t i = 0; i < sizeof(std) / sizeof(*std); i++)
		*(char **)((char *)it + std[i].off) = sget(pc, std[i].id);
	for (uint32_t k = 0; k < 3; k++)
		it->email[k] = sget(pc, named(map, ps_address,
					      0x8083 + 0x10 * k));
	if (!it->email[0])
		it->email[0] = sget(pc, PF_TAG_EMAIL_ADDRESS);
	if (pf_pc_get_time(pc, 0x3A42, &bday) == 0 && bday) {
		time_t t = (time_t)(bday / 10000000ull) - 11644473600ll;
		struct tm tm;
		char buf[16];

		if (gmtime_r(&t, &tm) && tm.tm_year + 1900 <= 9999) {
			strftime(buf, sizeof(buf), "%Y%m%d", &tm);
			it->birthday = strdup(buf);
		}
	}
}

static uint64_t tget(const struct pf_pc *pc, uint16_t id)
{
	uint64_t t = 0;

	if (id)
		pf_pc_get_time(pc, id, &t);
	return t;
}

static void appointment(struct pf_mimew_item *it, const struct pf_pc *pc,
			const struct pf_nameid_map *map)
{
	bool b = false;

	it->start = tget(pc, named(map, ps_appointment, 0x820D));
	it->end = tget(pc, named(map, ps_appointment, 0x820E));
	if (!it->start)
		it->start = tget(pc, 0x0060);
	if (!it->end)
		it->end = tget(pc, 0x0061);
	it->location = sget(pc, named(map, ps_appointment, 0x8208));
	if (pf_pc_get_bool(pc, named(map, ps_appointment, 0x8215), &b) == 0)
		it->all_day = b;
}

static void task(struct pf_mimew_item *it, const struct pf_pc *pc,
		 const struct pf_nameid_map *map)
{
	struct pf_value v;
	double pct = 0;
	bool b = false;

	it->start = tget(pc, named(map, ps_task, 0x8104));
	it->end = tget(pc, named(map, ps_task, 0x8105));
	if (pf_pc_get_value(pc, named(map, ps_task, 0x8102), &v) == 0) {
		if (pf_value_f64(&v, &pct) == 0 && pct >= 0 && pct <= 1)
			it->percent = (int32_t)(pct * 100 + 0.5);
		pf_value_free(&v);
	}
	if (pf_pc_get_bool(pc, named(map, ps_task, 0x811C), &b) == 0) {
		it->has_complete = true;
		it->complete = b;
	}
}

/* PidLidGlobalObjectId (MS-OXOCAL 2.2.1.27) in upper-case hex, the UID
 * Outlook itself gives the meeting in iCalendar. */
static void meeting_uid(struct pf_mimew_item *it, const struct pf_pc *pc,
			const struct pf_nameid_map *map)
{
	static const char hex[] = "0123456789ABCDEF";
	uint16_t id = named(map, ps_meeting, 0x0003);
	uint8_t *b = NULL;
	size_t cb = 0;

	if (!id || pf_pc_get_bin(pc, id, &b, &cb) != 0 || cb == 0 ||
	    cb > 512) {
		free(b);
		return;
	}
	it->uid = malloc(cb * 2 + 1);
	for (size_t i = 0; it->uid && i < cb; i++) {
		it->uid[2 * i] = hex[b[i] >> 4];
		it->uid[2 * i + 1] = hex[b[i] & 15];
		it->uid[2 * i + 2] = '\0';
	}
	free(b);
}

/* PidLidDistributionListOneOffMembers (MS-OXOCNTC 2.2.2.2.2): one
 * one-off EntryID per member, in list order. */
static void dist_list(struct pf_mimew_item *it, const struct pf_pc *pc,
		      const struct pf_nameid_map *map)
{
	struct pf_value v;
	uint32_t count = 0;

	if (pf_pc_get_value(pc, named(map, ps_address, 0x8054), &v) != 0)
		return;
	if (v.type == PF_PT_MV_BINARY && pf_value_mv_count(&v, &count) == 0 &&
	    count > 0 && count <= 100000)
		it->members = calloc(count, sizeof(*it->members));
	for (uint32_t i = 0; it->members && i < count; i++) {
		const uint8_t *p;
		size_t cb;

		if (pf_value_mv_item(&v, i, &p, &cb) == 0) {
			char *name = NULL, *addr = NULL;

			if (pmw_oneoff(p, cb, &name, &addr) == 0)
				it->members[it->nmembers++] = addr;
			free(name);
		}
	}
	pf_value_free(&v);
}

void pmw_read_item(struct pf_mimew_msg *msg, struct pf_message *m,
		   const struct pf_nameid_map *map)
{
	if (pf_mimew_meeting_method(msg->message_class)) {
		appointment(&msg->item, &m->pc, map);
		meeting_uid(&msg->item, &m->pc, map);
		return;
	}
	switch (pf_mimew_kind_of(msg->message_class)) {
	case PF_MIMEW_VCARD:
		contact(&msg->item, &m->pc, map);
		dist_list(&msg->item, &m->pc, map);
		break;
	case PF_MIMEW_VEVENT:
		appointment(&msg->item, &m->pc, map);
		break;
	case PF_MIMEW_VTODO:
		task(&msg->item, &m->pc, map);
		break;
	default:
		break;
	}
}
