// The system liblz4 (apt: liblz4-dev): only the frame API, whose output the stock `lz4` tool reads.
#include <lz4frame.h>
