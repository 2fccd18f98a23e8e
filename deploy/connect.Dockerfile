# Kafka Connect workers with the imgstream connectors as a plugin, for deploy/kubernetes/connect.yaml (Strimzi's
# KafkaConnect runs this image). Use the Strimzi Kafka image of your operator's version. Build the connectors first:
#   mvn -B -DskipTests install
#   docker build -f deploy/connect.Dockerfile -t imgstream-connect:0.1.0 .
FROM quay.io/strimzi/kafka:0.49.0-kafka-4.1.0
COPY connectors/target/connect-plugin/imgstream-connectors /opt/kafka/plugins/imgstream-connectors
COPY connectors/target/imgstream-connectors-*.jar /opt/kafka/plugins/imgstream-connectors/
