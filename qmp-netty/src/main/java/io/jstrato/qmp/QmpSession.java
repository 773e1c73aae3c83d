package io.jstrato.qmp;

import java.util.Objects;

/**
 * What a command may know about the connection that issued it. One per connection, used only on that
 * connection's event loop and by the command it is running.
 *
 * @param id a number unique among this server's connections, for logs
 * @param greeting what this connection was greeted with (a server's sockets may greet differently), so that
 *     {@code query-version} answers with the same numbers
 */
public record QmpSession(long id, QmpGreeting greeting) {
    public QmpSession {
        Objects.requireNonNull(greeting, "greeting");
    }
}
