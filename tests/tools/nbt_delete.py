#!/usr/bin/env python3
"""nbt_delete.py FILE NID - delete node NID the way a client deletes an
item: its entry leaves the NBT leaf page (MS-PST 2.2.2.7.7.4), the page is
resealed (dwCRC, 2.2.2.7.1), and the node's blocks stay in the file.  Used
by tests/cli/export_salvage.sh to make a deleted-but-intact message.

Unicode files only (512-byte pages, 32-byte NBTENTRY).  The leaf is found
by scanning every page whose trailer says NBT, level 0, holding NID; the
writer's samples have exactly one.  Exit 0 done, 1 with a reason.
"""
import struct
import sys
import zlib

PAGE = 512
PTYPE_NBT = 0x81
ENT = 32


def ms_crc(data):
    # MS-PST 5.3: the reflected CRC-32 with a zero seed and no final xor
    return zlib.crc32(data, 0xFFFFFFFF) ^ 0xFFFFFFFF


def main():
    path, nid = sys.argv[1], int(sys.argv[2], 16)
    with open(path, 'r+b') as f:
        data = f.read()
        hits = []
        for ib in range(0, len(data) - PAGE + 1, PAGE):
            p = data[ib:ib + PAGE]
            if p[496] != PTYPE_NBT or p[497] != PTYPE_NBT or p[491] != 0:
                continue
            cent, cbent = p[488], p[490]
            if cbent != ENT or cent * ENT > 488:
                continue
            if ms_crc(p[:496]) != struct.unpack_from('<I', p, 500)[0]:
                continue
            for i in range(cent):
                if struct.unpack_from('<Q', p, i * ENT)[0] == nid:
                    hits.append((ib, i))
        if len(hits) != 1:
            sys.exit('nbt_delete: %d leaf pages hold 0x%x' % (len(hits), nid))
        ib, i = hits[0]
        p = bytearray(data[ib:ib + PAGE])
        cent = p[488]
        p[i * ENT:(cent - 1) * ENT] = p[(i + 1) * ENT:cent * ENT]
        p[(cent - 1) * ENT:cent * ENT] = bytes(ENT)
        p[488] = cent - 1
        struct.pack_into('<I', p, 500, ms_crc(bytes(p[:496])))
        f.seek(ib)
        f.write(p)


if __name__ == '__main__':
    main()
