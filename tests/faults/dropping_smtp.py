"""An SMTP server that hangs up in the middle of a message, on cue: the client has sent part of the DATA
when the connection goes. aiosmtpd cannot be told to do that, so this speaks just enough SMTP itself."""

from __future__ import annotations

import socket
import socketserver
import threading
from email import message_from_bytes, policy


class _Handler(socketserver.StreamRequestHandler):
    server: DroppingSMTPServer

    def reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())
        self.wfile.flush()

    def handle(self) -> None:
        self.reply("220 drop.test ESMTP")
        rcpts: list[str] = []
        while line := self.rfile.readline():
            command = line.decode(errors="replace").strip()
            verb = command[:4].upper()
            if verb in {"EHLO", "HELO"}:
                self.reply("250 drop.test")
            elif verb == "MAIL":
                rcpts = []
                self.reply("250 OK")
            elif verb == "RCPT":
                rcpts.append(command.split(":", 1)[1].strip().strip("<>").lower())
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                if self.server.take_a_drop():
                    self.rfile.readline()  # part of the message has arrived: now hang up
                    self.request.shutdown(socket.SHUT_RDWR)
                    return
                data = b""
                while (chunk := self.rfile.readline()) not in {b".\r\n", b""}:
                    data += chunk[1:] if chunk.startswith(b"..") else chunk
                self.server.record(rcpts, data)
                self.reply("250 Accepted")
            elif verb == "RSET" or verb == "NOOP":
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Not implemented")


class DroppingSMTPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int, drops: int):
        super().__init__(("127.0.0.1", port), _Handler)
        self.port = port
        self.drops_left = drops
        self.dropped = 0
        self.received: list[tuple[list[str], object]] = []
        self.lock = threading.Lock()

    def take_a_drop(self) -> bool:
        with self.lock:
            if self.drops_left <= 0:
                return False
            self.drops_left -= 1
            self.dropped += 1
            return True

    def record(self, rcpts: list[str], data: bytes) -> None:
        with self.lock:
            self.received.append((rcpts, message_from_bytes(data, policy=policy.default)))

    def start(self) -> DroppingSMTPServer:
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
