"""The loopback cluster: starting it (cluster.py), its layout (topology.py), a load to drive it (load.py)."""
