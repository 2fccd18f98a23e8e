/**
 * What every long-running imgstream application shares and nothing else: how its Kafka Streams instance runs
 * ({@code lifecycle}) and how its metrics are exported ({@code metrics}). The scorer and the training worker both
 * stand on this module, side by side; neither stands on the other.
 */
package io.imgstream.runtime;
