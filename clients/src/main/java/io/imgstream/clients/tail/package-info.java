/** Reading topics for people: group-less tailing and one-line record layouts. */
package io.imgstream.clients.tail;
