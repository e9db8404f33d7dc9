/* values.h: the parsers and formatters of the structured value types, shared inside the library. */
#ifndef SOCKOPT_VALUES_H
#define SOCKOPT_VALUES_H

#include "internal.h"

#define VALUE_TYPE_FUNCS(lower)                                                              \
	int parse_##lower(const char *text, sockopt_value *v, const char **problem);          \
	void format_##lower(const sockopt_value *v, struct out *o)

VALUE_TYPE_FUNCS(seconds);
VALUE_TYPE_FUNCS(millis);
VALUE_TYPE_FUNCS(micros);
VALUE_TYPE_FUNCS(timeval);
VALUE_TYPE_FUNCS(linger);
VALUE_TYPE_FUNCS(tos);
VALUE_TYPE_FUNCS(ucred);
VALUE_TYPE_FUNCS(tcpinfo);
VALUE_TYPE_FUNCS(sockaddr);
VALUE_TYPE_FUNCS(inaddr);
VALUE_TYPE_FUNCS(mreq);
VALUE_TYPE_FUNCS(mreq6);
VALUE_TYPE_FUNCS(mtuinfo);
VALUE_TYPE_FUNCS(txtime);
void json_timeval(const sockopt_value *v, struct out *o);
void json_linger(const sockopt_value *v, struct out *o);
void json_ucred(const sockopt_value *v, struct out *o);
void json_tcpinfo(const sockopt_value *v, struct out *o);
void json_mtuinfo(const sockopt_value *v, struct out *o);
void json_txtime(const sockopt_value *v, struct out *o);

/* Copy V's bytes into the SIZE-byte struct OUT, zero past what V holds: a value as its C struct. */
void value_to_struct(const sockopt_value *v, void *out, size_t size);
/* Store the SIZE-byte struct IN as V's bytes; 0, a parser's result. */
int value_from_struct(sockopt_value *v, const void *in, size_t size);

/* The name of a TCP state as ss prints it ("ESTAB"), or NULL. */
const char *tcp_state_name(int state);

#endif /* SOCKOPT_VALUES_H */
