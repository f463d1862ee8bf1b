#ifndef COVERLAYPCAP_SHIM_H
#define COVERLAYPCAP_SHIM_H
#include <pcap/pcap.h>
#include <stdio.h>
#endif
