"""The runtimes PySDK drives here: ONNX and OpenVINO set-up, N2X (ORCA) and DeGirum's AI server."""
