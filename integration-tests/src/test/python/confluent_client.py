#!/usr/bin/env python3
"""A non-Java client of imgstream, built on Confluent's Python library and the registry's
Confluent-compatible API: proves that other languages read and write imgstream's topics.

  confluent_client.py produce BOOTSTRAP REGISTRY_URL TOPIC SCHEMA_FILE IMAGE_ID IMAGE_URI
  confluent_client.py consume BOOTSTRAP REGISTRY_URL TOPIC COUNT TIMEOUT_SECONDS

REGISTRY_URL is the Confluent-compatible endpoint, e.g. http://127.0.0.1:18081/apis/ccompat/v7.
`consume` prints one JSON object per record value and exits 0 once COUNT records were read.
"""
import datetime
import json
import sys
import time
import uuid

from confluent_kafka import Consumer, Producer
from confluent_kafka import avro
from confluent_kafka.avro.cached_schema_registry_client import CachedSchemaRegistryClient
from confluent_kafka.avro.serializer.message_serializer import MessageSerializer


def produce(bootstrap, registry_url, topic, schema_file, image_id, image_uri):
    serializer = MessageSerializer(CachedSchemaRegistryClient({"url": registry_url}))
    schema = avro.load(schema_file)
    value = {
        "id": image_id,
        "uri": image_uri,
        "inlineBytes": None,
        "contentType": "image/png",
        "source": "python-confluent-kafka",
        "eventTime": datetime.datetime.now(tz=datetime.timezone.utc),
        "attributes": {"client": "python"},
    }
    payload = serializer.encode_record_with_schema(topic, schema, value)
    producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True})
    producer.produce(topic, key=image_id.encode("utf-8"), value=payload)
    if producer.flush(30) != 0:
        sys.exit("message not delivered within 30 s")


def consume(bootstrap, registry_url, topic, count, timeout_seconds):
    serializer = MessageSerializer(CachedSchemaRegistryClient({"url": registry_url}))
    consumer = Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": "python-" + str(uuid.uuid4()),
        "auto.offset.reset": "earliest",
        "isolation.level": "read_committed",
        "enable.auto.commit": False,
    })
    consumer.subscribe([topic])
    read = 0
    deadline = time.time() + timeout_seconds
    try:
        while read < count and time.time() < deadline:
            message = consumer.poll(0.5)
            if message is None:
                continue
            if message.error():
                sys.exit("consumer error: %s" % message.error())
            value = serializer.decode_message(message.value())
            print(json.dumps(value, default=str), flush=True)
            read += 1
    finally:
        consumer.close()
    if read < count:
        sys.exit("read %d of %d records within %d s" % (read, count, timeout_seconds))


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "produce":
        produce(*sys.argv[2:8])
    elif command == "consume":
        consume(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6]))
    else:
        sys.exit("unknown command " + command)
