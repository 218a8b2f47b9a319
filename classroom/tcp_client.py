#!/usr/bin/env python3
# The classic TCP echo client of the socket exercise. Run it on the client:
#     python3 classroom/tcp_client.py 127.0.0.1   (on one machine; without it, the seed's server address)
# Optional arguments: the server's address, port and message (default 192.168.219.113 65432 Hello?).
import socket
import sys

HOST = sys.argv[1] if len(sys.argv) > 1 else "192.168.219.113"
PORT = int(sys.argv[2]) if len(sys.argv) > 2 else 65432
MESSAGE = (sys.argv[3] if len(sys.argv) > 3 else "Hello?").encode()

with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
    s.connect((HOST, PORT))
    s.sendall(MESSAGE)
    data = s.recv(1024)

print(f"Received {data!r}")
