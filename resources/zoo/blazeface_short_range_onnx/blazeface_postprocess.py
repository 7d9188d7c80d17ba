# DeGirum PySDK Python postprocessor for MediaPipe BlazeFace short range (128x128, 896 anchors).
# Why: PySDK's built-in "FaceDetection" postprocessor returns the raw classifier logits as scores
# (e.g. 2.51 for a clear face), and has no sigmoid option; this one decodes the same two outputs
# (regressors [1,896,16], classificators [1,896,1]) into boxes, 6 keypoints and probabilities in
# [0, 1]. OutputConfThreshold is a probability (0.6225 = sigmoid(0.5), the old logit threshold,
# so the same faces are found). NMS: the best box of each cluster overlapping it by more than
# OutputNMSThreshold IoU is kept, as the built-in does (boxes agree with it within a model pixel).
import json

import numpy as np


def _anchors(size=128, strides=(8, 16, 16, 16)):
    """SSD anchors as MediaPipe builds them: layers of one stride share a grid; 2 anchors per layer."""
    centres = []
    i = 0
    while i < len(strides):
        same = sum(1 for s in strides[i:] if s == strides[i])
        cells = int(np.ceil(size / strides[i]))
        grid = (np.arange(cells, dtype=np.float32) + 0.5) / cells
        ys, xs = np.meshgrid(grid, grid, indexing="ij")
        pts = np.stack([xs.ravel(), ys.ravel()], axis=1)
        centres.append(np.repeat(pts, 2 * same, axis=0))
        i += same
    return np.concatenate(centres, axis=0)


class PostProcessor:
    def __init__(self):
        self._anchors = None

    def configure(self, json_config):
        pp = json_config["POST_PROCESS"][0]
        pre = json_config["PRE_PROCESS"][0]
        self._h, self._w = pre["InputH"], pre["InputW"]
        self._thr = float(pp.get("OutputConfThreshold", 0.5))
        self._nms = float(pp.get("OutputNMSThreshold", 0.3))
        with open(pp["LabelsPath"]) as f:
            self._labels = {int(k): v for k, v in json.load(f).items()}
        self._anchors = _anchors(self._w)

    def forward(self, tensor_list, details_list):
        boxes = scores = None
        for t in tensor_list:
            t = np.asarray(t, dtype=np.float32)
            if t.shape[-1] == 16:
                boxes = t.reshape(-1, 16)
            elif t.shape[-1] == 1 or t.ndim <= 2:
                scores = t.reshape(-1)
        probs = 1.0 / (1.0 + np.exp(-np.clip(scores.astype(np.float64), -80.0, 80.0)))
        keep = np.nonzero(probs >= self._thr)[0]
        if keep.size == 0:
            return []
        raw, anchors, probs = boxes[keep], self._anchors[keep], probs[keep]
        cx = raw[:, 0] / self._w + anchors[:, 0]
        cy = raw[:, 1] / self._h + anchors[:, 1]
        half_w, half_h = raw[:, 2] / self._w / 2, raw[:, 3] / self._h / 2
        corners = np.stack([cx - half_w, cy - half_h, cx + half_w, cy + half_h], axis=1)
        points = np.stack([raw[:, 4::2] / self._w + anchors[:, :1], raw[:, 5::2] / self._h + anchors[:, 1:]],
                          axis=2)
        res = []
        for best in self._suppress(corners, probs):
            box, marks = corners[best], points[best]
            res.append({"bbox": [float(box[0] * self._w), float(box[1] * self._h), float(box[2] * self._w),
                                 float(box[3] * self._h)],
                        "category_id": 0, "label": self._labels.get(0, "face"), "score": float(probs[best]),
                        "landmarks": [{"landmark": [float(x * self._w), float(y * self._h)]} for x, y in marks]})
        return res

    def _suppress(self, corners, probs):
        """Indexes of the boxes kept, best first."""
        order = np.argsort(-probs)
        area = (corners[:, 2] - corners[:, 0]) * (corners[:, 3] - corners[:, 1])
        while order.size:
            i = order[0]
            iw = np.clip(np.minimum(corners[i, 2], corners[order, 2]) - np.maximum(corners[i, 0], corners[order, 0]),
                         0, None)
            ih = np.clip(np.minimum(corners[i, 3], corners[order, 3]) - np.maximum(corners[i, 1], corners[order, 1]),
                         0, None)
            inter = iw * ih
            overlap = inter / (area[i] + area[order] - inter + 1e-9) > self._nms
            overlap[0] = True
            yield i
            order = order[~overlap]
