/// The seed zoo: the study's 23 architectures (LeNet-5 twice, the LSTM regressors twice) plus MobileNetV1 and
/// a GRU regressor, so every op family the mutation engine may insert appears in some seed.
public enum ModelZoo {
    public static let entries: [ZooEntry] = [
        Classic.lenet5, Classic.lenet5Relu, Classic.alexnet, VGG.vgg16, VGG.vgg19,
        ResNet.resnet50, Inception.inceptionV3, DenseNet.densenet121, Xception.xception,
        MobileNet.mobilenetV1, MobileNet.mobilenetV2,
        Recurrent.lstmRegressor, Recurrent.stackedLSTMRegressor, Recurrent.gruRegressor, Recurrent.textCNN,
        Segmentation.unet, Segmentation.deeplabV3,
        Detection.ssdResNet50FPN, Detection.ssdMobileNetV1, Detection.yoloV3,
        Pose.openPose, Anomaly.ssimAutoencoder, Anomaly.patchCore,
    ]

    public static func entry(named name: String) -> ZooEntry? {
        let key = name.lowercased()
        return entries.first { $0.name == key }
    }

    /// The members a family name stands for (`lstm`: lstm-regressor, lstm-stacked-regressor), shortest first:
    /// `diff --model`, `fuzz --seeds` and `study --seeds` take a family name as its first.
    public static func family(_ name: String) -> [ZooEntry] {
        entries.filter { $0.name.hasPrefix(name.lowercased() + "-") }.sorted { ($0.name.count, $0.name) < ($1.name.count, $1.name) }
    }
}
