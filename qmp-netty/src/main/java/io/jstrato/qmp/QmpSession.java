package io.jstrato.qmp;

/**
 * What a command may know about the connection that issued it. One per connection, used only on that
 * connection's event loop and by the command it is running.
 *
 * @param id a number unique among this server's connections, for logs
 */
public record QmpSession(long id) {}
