/** The predictions sink connector: Prediction records in, committed JSON Lines or CSV files out. */
package io.imgstream.connect.sink;
