#!/usr/bin/env python3
# The classic UDP echo client of the socket exercise. Run it on the client:
#     python3 classroom/udp_client.py 127.0.0.1   (on one machine; without it, the seed's server address)
# Optional arguments: the server's address, port and message (default 192.168.219.113 5005 Hello?).
import socket
import sys

HOST = sys.argv[1] if len(sys.argv) > 1 else "192.168.219.113"
PORT = int(sys.argv[2]) if len(sys.argv) > 2 else 5005
MESSAGE = (sys.argv[3] if len(sys.argv) > 3 else "Hello?").encode()

with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
    s.settimeout(2.0)  # UDP does not retransmit: without a timeout a lost datagram would wait forever
    s.sendto(MESSAGE, (HOST, PORT))
    data, addr = s.recvfrom(1024)

print(f"Received {data!r} from {addr[0]}:{addr[1]}")
