"""Protocol-neutral mapping of managed devices to oneM2M resources (TS-0005/TS-0014 style).

A device becomes a node with mgmtObjs (deviceInfo, memory, battery, reboot, firmware, one
software per package) and its lights and switches become flexContainers of the TS-0023 device
classes; updates of those resources become driver operations, and what drivers report becomes
updates of those resources.
"""
