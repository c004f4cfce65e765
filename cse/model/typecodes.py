"""Resource type codes (TS-0004 clause 6.3.4.2.1)."""

from enum import IntEnum


class Ty(IntEnum):
    ACP = 1
    AE = 2
    CNT = 3
    CIN = 4
    CSEBASE = 5
    GRP = 9
    MGMTOBJ = 13
    NODE = 14
    CSR = 16
    SUB = 23
    FCNT = 28
