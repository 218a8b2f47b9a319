#!/usr/bin/env python3
# The classic UDP echo server of the socket exercise. Run it on the server:
#     python3 classroom/udp_server.py 127.0.0.1   (on one machine; without it, the seed's server address)
# Optional arguments: the address and port to bind (default 192.168.219.113 5005), and how many datagrams to
# echo before it stops (default: forever, until Ctrl-C).
import socket
import sys

HOST = sys.argv[1] if len(sys.argv) > 1 else "192.168.219.113"
PORT = int(sys.argv[2]) if len(sys.argv) > 2 else 5005
COUNT = int(sys.argv[3]) if len(sys.argv) > 3 else 0

with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
    s.bind((HOST, PORT))
    print(f"bound to {HOST}:{PORT}", flush=True)
    served = 0
    while COUNT == 0 or served < COUNT:
        data, addr = s.recvfrom(1024)
        print(f"{len(data)} bytes from {addr[0]}:{addr[1]}", flush=True)
        s.sendto(data, addr)
        served += 1
