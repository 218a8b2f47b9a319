#!/usr/bin/env python3
# The classic TCP echo server of the socket exercise. Run it on the server:
#     python3 classroom/tcp_server.py 127.0.0.1   (on one machine; without it, the seed's server address)
# Optional arguments: the address and port to listen on (default 192.168.219.113 65432).
import socket
import sys

HOST = sys.argv[1] if len(sys.argv) > 1 else "192.168.219.113"
PORT = int(sys.argv[2]) if len(sys.argv) > 2 else 65432

with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((HOST, PORT))
    s.listen()
    print(f"listening on {HOST}:{PORT}", flush=True)
    conn, addr = s.accept()
    with conn:
        print(f"connected by {addr[0]}:{addr[1]}", flush=True)
        while True:
            data = conn.recv(1024)
            if not data:
                break
            conn.sendall(data)
    print("client closed; done", flush=True)
