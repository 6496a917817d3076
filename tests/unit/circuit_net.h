/* circuit_net.h - a small hand-built network for the customer-circuit tests,
 * as CSV texts for fl_inventory_load_texts(). Header-only.
 *
 *   city ring N-R1 (Huawei):  C - P - Q - R - back to C
 *   county ring N-Q-R2 (ZTE): Q - T - V - back to Q   (Q has a device on each)
 *   chain N-Q-C01:            T - U
 *   router ring N-IP1:        M1 - M2 - M3 - back to M1 (IP/MPLS links)
 *
 * Ports are written as devices write them: shelf-slot-port, rack-shelf-slot-
 * port, and interface names (GigabitEthernet0/0/1, xgei-1/2/4, ge-0/0/1.0,
 * Te1/1/1, gpon-olt_1/2/3).
 *
 *   circuit  ends    path                                 prot  priority
 *   K-001    C - U   R1-S01 R1-S02 R2-S01 C01-S01          none  general
 *   K-002    C - T   R1-S01 R1-S02 R2-S01                  sncp  urgent
 *   K-003    C - P   R1-S01                                sncp  general
 *   K-004    C - R   R1-S04                                none  severe
 *   K-005    P - R   R1-S02 R1-S03 (through Q)             sncp  severe
 *   K-006    M1 - M2 IP1-S01                               sncp  severe
 * K-002 and K-003 belong to one customer (政务网). */
#ifndef FL_TEST_CIRCUIT_NET_H
#define FL_TEST_CIRCUIT_NET_H
#include <string.h>

#include "engine/inventory/inventory.h"

#define CN_SITES                                                                                  \
	"site,site_name,county,city,class,lat,lon,power\r\n"                                        \
	"C,核心,Cx,Alpha,city,24.0,108.0,mains+battery+generator\r\n"                               \
	"P,P站,Px,Alpha,county,24.1,108.1,mains+battery\r\n"                                        \
	"Q,Q站,Qx,Alpha,county,24.2,108.2,mains+battery\r\n"                                        \
	"R,R站,Rx,Alpha,county,24.3,108.3,mains+battery\r\n"                                        \
	"T,T乡,Qx,Alpha,township,24.4,108.4,mains\r\n"                                              \
	"V,V乡,Qx,Alpha,township,24.5,108.5,mains\r\n"                                              \
	"U,U乡,Qx,Alpha,township,24.6,108.6,mains\r\n"                                              \
	"M1,M1,Cx,Alpha,city,24.0,108.0,mains+battery\r\n"                                          \
	"M2,M2,Px,Alpha,county,24.1,108.1,mains+battery\r\n"                                        \
	"M3,M3,Qx,Alpha,county,24.2,108.2,mains+battery\r\n"

#define CN_RINGS                                                                                  \
	"ring,name,level,city,county,vendor,nodes\r\n"                                              \
	"N-R1,市环,city,Alpha,,Huawei,4\r\n"                                                        \
	"N-Q-R2,县环,county,Alpha,Qx,ZTE,3\r\n"                                                     \
	"N-IP1,IP环,city,Alpha,,Cisco,3\r\n"

#define CN_DEV(id, ip, vendor, role, site, ring, pos, level)                                      \
	id "," ip "," vendor ",M," role "," site ",,,," ring "," pos "," level "\r\n"
#define CN_DEVICES                                                                                \
	"device,mgmt_ip,vendor,model,role,site,site_name,county,city,ring,ring_pos,level\r\n"       \
	CN_DEV("C-OSN01", "10.9.0.2", "Huawei", "metro-sdh", "C", "N-R1", "1", "city")              \
	CN_DEV("P-OSN01", "10.9.1.2", "Huawei", "metro-sdh", "P", "N-R1", "2", "county")            \
	CN_DEV("Q-OSN01", "10.9.2.2", "Huawei", "metro-sdh", "Q", "N-R1", "3", "county")            \
	CN_DEV("R-OSN01", "10.9.3.2", "Huawei", "metro-sdh", "R", "N-R1", "4", "county")            \
	CN_DEV("Q-SDH02", "10.9.2.3", "ZTE", "metro-sdh", "Q", "N-Q-R2", "1", "county")             \
	CN_DEV("T-SDH01", "10.9.4.2", "ZTE", "metro-sdh", "T", "N-Q-R2", "2", "township")           \
	CN_DEV("V-SDH01", "10.9.5.2", "ZTE", "metro-sdh", "V", "N-Q-R2", "3", "township")           \
	CN_DEV("U-SDH01", "10.9.6.2", "ZTE", "metro-sdh", "U", "", "", "township")                  \
	CN_DEV("M1-RT01", "10.9.7.11", "Cisco", "router", "M1", "N-IP1", "1", "city")               \
	CN_DEV("M2-RT01", "10.9.8.11", "Cisco", "router", "M2", "N-IP1", "2", "county")             \
	CN_DEV("M3-RT01", "10.9.9.11", "Cisco", "router", "M3", "N-IP1", "3", "county")

#define CN_CHAINS                                                                                 \
	"chain,parent_ring,parent_device,devices,name,county,city\r\n"                              \
	"N-Q-C01,N-Q-R2,T-SDH01,U-SDH01,支链,Qx,Alpha\r\n"

#define CN_SPANS                                                                                  \
	"span,ring,a_device,a_port,b_device,b_port,length_km,duct,kind,srlg\r\n"                    \
	"N-R1-S01,N-R1,C-OSN01,1-8-1,P-OSN01,1-7-1,10,yes,ring,\r\n"                                \
	"N-R1-S02,N-R1,P-OSN01,1-8-1,Q-OSN01,1-7-1,10,no,ring,\r\n"                                 \
	"N-R1-S03,N-R1,Q-OSN01,1-8-1,R-OSN01,1-7-1,10,no,ring,\r\n"                                 \
	"N-R1-S04,N-R1,R-OSN01,1-8-1,C-OSN01,1-7-1,10,yes,ring,\r\n"                                \
	"N-Q-R2-S01,N-Q-R2,Q-SDH02,1-1-6-1,T-SDH01,1-1-5-1,8,no,ring,\r\n"                          \
	"N-Q-R2-S02,N-Q-R2,T-SDH01,1-1-6-1,V-SDH01,1-1-5-1,8,no,ring,\r\n"                          \
	"N-Q-R2-S03,N-Q-R2,V-SDH01,1-1-6-1,Q-SDH02,1-1-5-1,8,no,ring,\r\n"                          \
	"N-Q-C01-S01,N-Q-C01,T-SDH01,gpon-olt_1/2/3,U-SDH01,1-12-1,4,no,chain,\r\n"                 \
	"N-IP1-S01,N-IP1,M1-RT01,GigabitEthernet0/0/1,M2-RT01,xgei-1/2/4,3,yes,ring,\r\n"           \
	"N-IP1-S02,N-IP1,M2-RT01,ge-0/0/1.0,M3-RT01,Te1/1/1,3,yes,ring,\r\n"                        \
	"N-IP1-S03,N-IP1,M3-RT01,TenGigabitEthernet1/0/1.1000,M1-RT01,Gi0/0/2,3,yes,ring,\r\n"

#define CN_CIRCUITS                                                                               \
	"circuit,customer,a_site,b_site,path,priority,bandwidth,protection\r\n"                     \
	"K-001,链路客户,C,U,N-R1-S01;N-R1-S02;N-Q-R2-S01;N-Q-C01-S01,general,GE,none\r\n"           \
	"K-002,政务网,C,T,N-R1-S01;N-R1-S02;N-Q-R2-S01,urgent,GE,sncp\r\n"                          \
	"K-003,政务网,C,P,N-R1-S01,general,GE,sncp\r\n"                                             \
	"K-004,医保网,C,R,N-R1-S04,severe,GE,none\r\n"                                              \
	"K-005,公安网,P,R,N-R1-S02;N-R1-S03,severe,GE,sncp\r\n"                                     \
	"K-006,IP客户,M1,M2,N-IP1-S01,severe,10GE,sncp\r\n"

#define CN_CONTACT(level, branch, role, name, mobile, customer)                                   \
	level "," branch "," role "," name "," mobile ",,0771-5550000,yes,Alpha,分公司," customer   \
	      "\r\n"
#define CN_CONTACTS                                                                               \
	"level,branch,role,name,mobile,email,office_phone,on_24h,city,branch_name,customer\r\n"     \
	"region,region,duty_room,值班,138-0000-0100,,0771-5550000,yes,,区公司,\r\n"                 \
	CN_CONTACT("city", "Alpha", "customer_contact", "链", "138-0000-0001", "链路客户")          \
	CN_CONTACT("city", "Alpha", "customer_contact", "政", "138-0000-0002", "政务网")            \
	CN_CONTACT("city", "Alpha", "customer_contact", "医", "138-0000-0004", "医保网")            \
	CN_CONTACT("city", "Alpha", "customer_contact", "公", "138-0000-0005", "公安网")            \
	CN_CONTACT("city", "Alpha", "customer_contact", "IP", "138-0000-0006", "IP客户")

static inline struct fl_str cn_str(const char *s)
{
	return fl_str_make(s, strlen(s));
}

/* The network's tables; maintenance is not given. */
static inline struct fl_inventory_texts cn_texts(void)
{
	return (struct fl_inventory_texts){
	    .sites = cn_str(CN_SITES),
	    .rings = cn_str(CN_RINGS),
	    .devices = cn_str(CN_DEVICES),
	    .chains = cn_str(CN_CHAINS),
	    .spans = cn_str(CN_SPANS),
	    .circuits = cn_str(CN_CIRCUITS),
	    .contacts = cn_str(CN_CONTACTS),
	    .maintenance = FL_STR_NONE,
	};
}

#endif /* FL_TEST_CIRCUIT_NET_H */
