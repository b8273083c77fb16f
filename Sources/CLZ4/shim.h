// The system liblz4 (apt: liblz4-dev): the frame API, whose output the stock `lz4` tool reads, and the
// block API, with which a frame's independent blocks are decompressed on every core.
#include <lz4frame.h>
#include <lz4.h>
