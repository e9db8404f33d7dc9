# install.mk: make install/uninstall, the pkg-config file, the generated man pages and bash completion; make dist (what the packages ship) and make deb-check.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
PKGLIBDIR ?= $(LIBDIR)/sockopt
INCLUDEDIR ?= $(PREFIX)/include
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
PRELOAD := $(BUILD)/libsockopt-preload.so

DOC := $(BUILD)/doc/sockopt.1 $(BUILD)/doc/sockopt.bash

.PHONY: doc dist install uninstall deb-check man-catalog
all: $(DOC)
doc: $(DOC)
# What the packages ship, and nothing the tests alone need (debian/rules builds this).
dist: $(BUILD)/sockopt $(BUILD)/libsockopt.so $(BUILD)/libsockopt.a $(PRELOAD) $(DOC)

# The man page's option listing and the completion's names come from the catalog (through
# tools/catalog-doc.c) and from the command's own help, so neither is edited by hand.
$(BUILD)/tools/catalog-doc: tools/catalog-doc.c $(BUILD)/libsockopt.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libsockopt.a

# man/sockopt.1 carries the listing too, so that man -l on a source tree shows it: make
# man-catalog rewrites it there after the catalog changes (tests/test_manpages.sh checks it did).
$(BUILD)/doc/sockopt.1: man/sockopt.1 $(BUILD)/tools/catalog-doc tools/man-catalog.sh
	@mkdir -p $(@D)
	$(BUILD)/tools/catalog-doc roff > $@.roff
	sh tools/man-catalog.sh $< $@.roff > $@.tmp && mv $@.tmp $@ && rm $@.roff

man-catalog: $(BUILD)/tools/catalog-doc tools/man-catalog.sh
	$(BUILD)/tools/catalog-doc roff > $(BUILD)/man-catalog.roff
	sh tools/man-catalog.sh man/sockopt.1 $(BUILD)/man-catalog.roff > $(BUILD)/man-catalog.tmp
	mv $(BUILD)/man-catalog.tmp man/sockopt.1 && rm $(BUILD)/man-catalog.roff

$(BUILD)/doc/sockopt.bash: completion/sockopt.bash completion/gen-completion.sh $(BUILD)/sockopt \
		$(BUILD)/tools/catalog-doc
	@mkdir -p $(@D)
	sh completion/gen-completion.sh $(BUILD)/sockopt $(BUILD)/tools/catalog-doc < $< > $@.tmp
	mv $@.tmp $@

# The pkg-config file is written here so it names the PREFIX being installed to; the
# preload (lib/sockopt/) is installed when it has been built.
install: dist
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCLUDEDIR) \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man3 $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(BASHCOMPDIR)
	install -m 755 $(BUILD)/sockopt $(DESTDIR)$(BINDIR)/sockopt
	install -m 755 $(BUILD)/libsockopt.so $(DESTDIR)$(LIBDIR)/libsockopt.so.$(VERSION)
	ln -sf libsockopt.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libsockopt.so
	install -m 644 $(BUILD)/libsockopt.a $(DESTDIR)$(LIBDIR)/libsockopt.a
	install -m 644 include/sockopt.h $(DESTDIR)$(INCLUDEDIR)/sockopt.h
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(patsubst $(PREFIX)/%,$${prefix}/%,$(LIBDIR))|' \
		-e 's|@INCLUDEDIR@|$(patsubst $(PREFIX)/%,$${prefix}/%,$(INCLUDEDIR))|' \
		-e 's|@VERSION@|$(VERSION)|' mk/sockopt.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/sockopt.pc
	install -m 644 $(BUILD)/doc/sockopt.1 $(DESTDIR)$(MANDIR)/man1/sockopt.1
	install -m 644 man/libsockopt.3 $(DESTDIR)$(MANDIR)/man3/libsockopt.3
	install -m 644 man/sockopt-policy.5 $(DESTDIR)$(MANDIR)/man5/sockopt-policy.5
	install -m 644 $(BUILD)/doc/sockopt.bash $(DESTDIR)$(BASHCOMPDIR)/sockopt
	if [ -e $(PRELOAD) ]; then install -d $(DESTDIR)$(PKGLIBDIR) && \
		install -m 755 $(PRELOAD) $(DESTDIR)$(PKGLIBDIR)/libsockopt-preload.so; fi

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/sockopt $(DESTDIR)$(LIBDIR)/libsockopt.so.$(VERSION) \
		$(DESTDIR)$(LIBDIR)/$(SONAME) $(DESTDIR)$(LIBDIR)/libsockopt.so \
		$(DESTDIR)$(LIBDIR)/libsockopt.a $(DESTDIR)$(INCLUDEDIR)/sockopt.h \
		$(DESTDIR)$(LIBDIR)/pkgconfig/sockopt.pc $(DESTDIR)$(MANDIR)/man1/sockopt.1 \
		$(DESTDIR)$(MANDIR)/man3/libsockopt.3 $(DESTDIR)$(MANDIR)/man5/sockopt-policy.5 \
		$(DESTDIR)$(BASHCOMPDIR)/sockopt \
		$(DESTDIR)$(PKGLIBDIR)/libsockopt-preload.so
	rmdir $(DESTDIR)$(PKGLIBDIR) 2>/dev/null || true

# The Debian packages built from the committed tree, linted, installed, tested and purged (root).
deb-check:
	sh tests/deb_check.sh
