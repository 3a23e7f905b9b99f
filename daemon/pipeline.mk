# The pipeline: capture source and options, the capture side that joins
# decoder, flows and dissectors, items, the queue and the threads.
libwhcore_la_SOURCES += \
	daemon/capture/options.c daemon/capture/options.h \
	daemon/capture/source.c daemon/capture/source.h \
	daemon/capture/streams.c daemon/capture/streams.h \
	daemon/item.c daemon/item.h \
	daemon/queue.c daemon/queue.h \
	daemon/pipeline.c daemon/pipeline.h \
	daemon/helpers/pcap_context.h
libwhcore_la_LIBADD += -lpthread
